import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

/** The innermost message of a Temporal failure chain (the activity's own reason, not "Activity task failed"). */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof TemporalFailure && current.cause && !(current instanceof ApplicationFailure)) {
    current = current.cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/** The `type` an activity gave its ApplicationFailure (`INVALID_MEDIA`, a domain refusal's reason). */
export function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** A step's verdict that ends processing (moderation said no): not an error of the saga itself. */
export class StageFailure extends Error {
  constructor(
    readonly stage: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}
