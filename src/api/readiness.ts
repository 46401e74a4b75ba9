import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves when the dependency answers; rejects (with the reason) when it does not. */
export type DependencyCheck = () => Promise<void>;

export type DependencyChecks = Readonly<Record<string, DependencyCheck>>;

export type CheckResult = { status: 'up' } | { status: 'down'; error: string };

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** Runs every check in parallel; a check that hangs counts as down after `timeoutMs`. */
export async function checkReadiness(checks: DependencyChecks, timeoutMs: number): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const abort = new AbortController();
      try {
        await Promise.race([
          check(),
          sleep(timeoutMs, undefined, { signal: abort.signal }).then(() => {
            throw new Error(`no answer within ${timeoutMs} ms`);
          }),
        ]);
        return [name, { status: 'up' }];
      } catch (error) {
        return [name, { status: 'down', error: error instanceof Error ? error.message : String(error) }];
      } finally {
        abort.abort();
      }
    }),
  );
  return {
    ready: entries.every(([, result]) => result.status === 'up'),
    checks: Object.fromEntries(entries),
  };
}
