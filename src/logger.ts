import { type Logger, pino } from 'pino';

export type { Logger };

/** pino JSON to stdout; every component takes a child with its own `component` field. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}
