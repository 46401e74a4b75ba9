import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

/**
 * The saga's undo log (Temporal's samples-typescript saga): after each step that changed something
 * outside the workflow, push what undoes it; on failure, unwind last-in-first-out. Every
 * compensation runs even when an earlier one failed, and each failure is returned to the caller,
 * which records and reports it: a compensation that fails is never swallowed.
 */
export interface CompensationFailure {
  name: string;
  error: string;
}

interface Compensation {
  name: string;
  undo: () => Promise<void>;
}

export class CompensationStack {
  private readonly stack: Compensation[] = [];

  push(name: string, undo: () => Promise<void>): void {
    this.stack.push({ name, undo });
  }

  get size(): number {
    return this.stack.length;
  }

  async unwind(): Promise<CompensationFailure[]> {
    const failures: CompensationFailure[] = [];
    for (let next = this.stack.pop(); next; next = this.stack.pop()) {
      try {
        await next.undo();
      } catch (error) {
        failures.push({ name: next.name, error: describeFailure(error) });
      }
    }
    return failures;
  }
}

/** The innermost message of a Temporal failure chain (an activity's own error, not "Activity task failed"). */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof TemporalFailure && current.cause && !(current instanceof ApplicationFailure)) {
    current = current.cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/** The `type` an activity gave its ApplicationFailure (a domain refusal's reason, e.g. PUBLICATION_ENDED). */
export function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
