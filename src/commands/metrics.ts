import { Histogram, type Registry } from 'prom-client';
import type { CommandObserver } from './handle-command.ts';

/** `chronicle_command_duration_seconds{command,outcome}` on the registry; pass the observer as `observeCommand`. */
export function registerCommandMetrics(registry: Registry): CommandObserver {
  const duration = new Histogram({
    name: 'chronicle_command_duration_seconds',
    help: 'Time to handle a command (read, decide, append, conflict retries), by command type and outcome',
    labelNames: ['command', 'outcome'],
    registers: [registry],
  });
  return ({ commandType, outcome, seconds }) => duration.observe({ command: commandType, outcome }, seconds);
}
