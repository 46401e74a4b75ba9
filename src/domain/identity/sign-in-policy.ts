/** 10 failed sign-ins within 15 minutes lock the account for 15 minutes. */
export const LOCK_AFTER_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;
export const LOCK_DURATION_MS = 15 * 60_000;

/** Failures (ISO instants) that still count at `now`. */
export function failuresInWindow(failures: readonly string[], now: Date): number {
  const since = now.getTime() - FAILURE_WINDOW_MS;
  return failures.filter((at) => Date.parse(at) > since).length;
}

export function isLocked(lockedUntil: string | null, now: Date): boolean {
  return lockedUntil !== null && Date.parse(lockedUntil) > now.getTime();
}
