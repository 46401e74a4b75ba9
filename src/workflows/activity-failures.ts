import { ApplicationFailure } from '@temporalio/activity';
import { ZodError } from 'zod';
import { DomainError } from '../domain/shared/domain-error.ts';

/**
 * What every saga's activities make of the errors all of them meet. A domain refusal will be
 * refused again: non-retryable, typed by its reason so a workflow can tell one from another —
 * except a lost write race or a rate limit, which the activity's retry policy retries. Invalid
 * input will be invalid again. Anything else is undefined here: the saga maps its own adapters'
 * errors, and what nobody maps is retried.
 */
export function commonActivityFailure(error: unknown): ApplicationFailure | undefined {
  if (error instanceof DomainError) {
    const retryable = error.code === 'RATE_LIMITED' || error.reason === 'CONCURRENCY';
    return ApplicationFailure.create({
      message: error.message,
      type: error.reason,
      nonRetryable: !retryable,
      details: [{ code: error.code, reason: error.reason, details: error.details }],
      cause: error,
    });
  }
  if (error instanceof ZodError) return ApplicationFailure.nonRetryable(error.message, 'INVALID_INPUT');
  return undefined;
}
