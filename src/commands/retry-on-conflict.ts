import { setTimeout as sleep } from 'node:timers/promises';
import { conflict } from '../domain/shared/domain-error.ts';
import { WrongExpectedVersion } from '../eventstore/errors.ts';
import type { Logger } from '../logger.ts';

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Optimistic concurrency: `attempt` reads, decides and appends with the revision it read; when
 * another writer got there first it runs again on fresh state. The delay is random and grows with
 * each attempt so that writers who collided once spread out instead of colliding again.
 */
export async function retryOnConflict<T>(
  stream: string,
  attempt: (attemptNumber: number) => Promise<T>,
  options: { maxAttempts?: number; log?: Logger } = {},
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (attemptNumber >= maxAttempts) {
        throw conflict(
          'CONCURRENCY',
          `Stream ${stream} kept changing; gave up after ${maxAttempts} attempts`,
          {
            stream,
            attempts: maxAttempts,
            // What the stream stood at when we gave up, so a client can re-read from there.
            // A decimal string: revisions are 64-bit and JSON numbers are not.
            currentRevision: error.actual === 'no_stream' ? null : error.actual.toString(),
          },
        );
      }
      const delayMs = retryDelayMs(attemptNumber);
      options.log?.debug({ stream, attempt: attemptNumber, delayMs }, 'concurrent write; retrying command');
      await sleep(delayMs);
    }
  }
}

/** 2 ms plus up to 20, 40, 80, then 100 ms of jitter. */
export function retryDelayMs(attemptNumber: number): number {
  return 2 + Math.random() * Math.min(100, 10 * 2 ** attemptNumber);
}
