import { type ExecutionResult, GraphQLError } from 'graphql';
import { DomainError } from '../domain/shared/domain-error.ts';

/**
 * A mutation stored its change, waited for the read models, timed out, and then could not find the
 * object it made in them: answering NOT_FOUND would tell the client its change did not happen. The
 * answer becomes UNAVAILABLE (HTTP 503 when nothing else was answered): asking again with the same
 * idempotency key replays the command, stores nothing new, and reads the object once the read models
 * have caught up. Only NOT_FOUND is rewritten; any other refusal is the command's own answer.
 */
export function answerWrittenNotYetReadable(execution: ExecutionResult, stalePosition: bigint): void {
  const errors = execution.errors ?? [];
  if (errors.length === 0 || !errors.every(isNotFound)) return;
  execution.errors = errors.map(
    (error) =>
      new GraphQLError(
        'The change was recorded, but the read models have not caught up with it yet: ask again with the same idempotency key, or read it shortly',
        {
          ...(error.nodes ? { nodes: error.nodes } : {}),
          ...(error.path ? { path: error.path } : {}),
          extensions: {
            code: 'UNAVAILABLE',
            reason: 'WRITTEN_NOT_YET_READABLE',
            position: stalePosition.toString(),
          },
        },
      ),
  );
  // Nothing was answered: no data at all, so the status is 503, which clients and proxies retry.
  if (execution.data && Object.values(execution.data).every((value) => value === null)) {
    (execution as { data?: unknown }).data = null;
  }
}

function isNotFound(error: GraphQLError): boolean {
  return error.originalError instanceof DomainError && error.originalError.code === 'NOT_FOUND';
}
