import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** `json`: one JSON object per line (for collectors); `pretty`: coloured lines for a person. */
export type LogFormat = 'json' | 'pretty';

/** Pretty when a person is watching (stdout is a terminal), JSON for everything else. */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/** pino to stdout; every component takes a child with its own `component` field. */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  format: LogFormat = 'json',
): Logger {
  const options = { level, base: { pid: process.pid, ...base }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return pino(options);
  // Synchronous, in this thread: a crash's last lines are written before the process exits.
  return pino(
    options,
    pretty({
      sync: true,
      colorize: true,
      singleLine: true,
      translateTime: 'HH:MM:ss.l',
      messageFormat: '{if component}{component}: {end}{msg}',
      ignore: 'pid,hostname,service,role,component',
    }),
  );
}
