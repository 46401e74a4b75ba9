import { ZodError } from 'zod';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import type { SyncChange, SyncOutcome } from '../../../domain/sync/outcomes.ts';

export type Refusal = SyncOutcome & { error: NonNullable<SyncOutcome['error']> };

/** A change id pushed before with other content: the new change must get a new id. */
export const changeIdReused = (changeId: string): Refusal => ({
  changeId,
  status: 'refused',
  error: {
    code: 'CHANGE_ID_REUSED',
    category: 'VALIDATION',
    message: 'This change id was already pushed with other content; give a new change a new id',
  },
});

/** The domain's refusal as an outcome; anything else (the database is away) is not an outcome. */
export function refusedOrThrow(change: SyncChange, error: unknown): Refusal {
  if (error instanceof DomainError) {
    return {
      changeId: change.changeId,
      status: 'refused',
      error: {
        code: error.reason,
        category: error.code,
        message: error.message,
        ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
      },
    };
  }
  // A use case's own input schema (stricter than the change type's in places) said no.
  if (error instanceof ZodError) {
    return {
      changeId: change.changeId,
      status: 'refused',
      error: {
        code: 'INVALID_INPUT',
        category: 'VALIDATION',
        message: error.issues
          .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
          .join('; '),
      },
    };
  }
  throw error;
}
