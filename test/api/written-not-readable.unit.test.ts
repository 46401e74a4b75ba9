import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { answerWrittenNotYetReadable } from '../../src/api/written-not-readable.ts';
import { type DomainError, forbidden, notFound } from '../../src/domain/shared/domain-error.ts';

const resolverError = (original: DomainError) =>
  new GraphQLError(original.message, { path: ['startCommunityThread'], originalError: original });

describe('a mutation whose change was stored but cannot be read back yet', () => {
  it('answers UNAVAILABLE / WRITTEN_NOT_YET_READABLE with no data (so 503, retried with the same key), not NOT_FOUND', () => {
    const execution = {
      data: { startCommunityThread: null },
      errors: [resolverError(notFound('POST_NOT_FOUND', 'No such post'))],
    };
    answerWrittenNotYetReadable(execution, 42n);
    expect(execution.data).toBeNull();
    expect(execution.errors.map((e) => [e.extensions, e.path])).toEqual([
      [{ code: 'UNAVAILABLE', reason: 'WRITTEN_NOT_YET_READABLE', position: '42' }, ['startCommunityThread']],
    ]);
  });

  it('leaves every other answer as the command gave it', () => {
    const refused = resolverError(forbidden('NOT_A_MEMBER', 'Members only'));
    const mixed = {
      data: { a: null, b: null },
      errors: [refused, resolverError(notFound('POST_NOT_FOUND', 'No such post'))],
    };
    answerWrittenNotYetReadable(mixed, 7n);
    expect(mixed.errors[0]).toBe(refused);
    expect(mixed.data).toEqual({ a: null, b: null });

    const answered = { data: { a: { id: 'x' } } };
    answerWrittenNotYetReadable(answered, 7n);
    expect(answered).toEqual({ data: { a: { id: 'x' } } });
  });
});
