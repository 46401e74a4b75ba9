import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { IllegalStateError, Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.ts';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Temporal's logger interface on top of pino, so the SDK's, the workflows' and the activities'
 * logs come out as the same JSON lines as ours. `demote` maps INFO to debug (webpack's chatter).
 */
export function temporalLogger(log: Logger, options: { demote?: boolean } = {}): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel = options.demote && level === 'INFO' ? 'debug' : LEVELS[level];
    log[pinoLevel]({ ...meta }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * Configures the process-wide Temporal runtime, before the first worker connection: logs through
 * pino (the native core's too), and no signal handlers of its own, because the role's Lifecycle
 * decides the shutdown order (process manager, then worker, then connections). Once per process;
 * a later call keeps the runtime already there.
 */
export function installTemporalRuntime(log: Logger): void {
  try {
    Runtime.install({
      logger: temporalLogger(log.child({ component: 'temporal-sdk' })),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
