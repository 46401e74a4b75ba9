import { createEventCodec } from '../commands/event-codec.ts';
import type { Config } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import { appendLockState, describeStall } from '../eventstore/postgres/append-lock.ts';
import { createPool } from '../infra/pg-pool.ts';
import type { Logger } from '../logger.ts';
import { PostgresPersonalDataKeys } from '../privacy/postgres-personal-data-keys.ts';
import { createChangeBus } from '../projections/change-bus.ts';
import { formatProgress, formatReport, formatStatusTable } from '../projections/format-status.ts';
import { abandonRebuild, rebuildProjections } from '../projections/rebuild.ts';
import { createProjections } from '../projections/registry.ts';
import { projectionStatuses } from '../projections/status.ts';
import { OperatorError, operatorDatabaseUrl } from './dev-lock.ts';

export type ProjectionsCommand =
  | { action: 'status' }
  | { action: 'rebuild'; name: string; compare: boolean; swap: boolean }
  | { action: 'abandon'; name: string };

/** `chronicle projections status | rebuild <name>[,<name>…]|all [--compare] [--no-swap] | abandon <name>`. */
export async function runProjections(
  config: Config,
  log: Logger,
  command: ProjectionsCommand,
): Promise<number> {
  const databaseUrl = await operatorDatabaseUrl(config);
  const opsLog = log.child({ component: 'projections' });
  const pool = createPool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3_000 }, opsLog);
  const store = createEventStore(config, databaseUrl, opsLog);
  const bus = createChangeBus(config.REDIS_URL, opsLog);
  const projections = createProjections({ codec: createEventCodec(new PostgresPersonalDataKeys(pool)) });
  try {
    await pool.query('select 1').catch((error: unknown) => {
      throw new OperatorError(
        `cannot reach PostgreSQL at ${config.DATABASE_URL ? 'DATABASE_URL' : 'the database of the running chronicle dev'}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    switch (command.action) {
      case 'status': {
        process.stdout.write(`${formatStatusTable(await projectionStatuses(pool, store, projections))}\n`);
        if (!config.EVENTSTORE_CONNECTION_STRING) {
          const lock = await appendLockState(pool);
          const stall = describeStall(lock);
          process.stdout.write(
            stall
              ? `\n${stall}\n`
              : `\nappends: flowing${lock.waiting ? ` (${lock.waiting} waiting for the append lock)` : ''}\n`,
          );
        }
        return 0;
      }
      case 'rebuild': {
        // `all`, one name, or several joined by commas: rebuilt together, in one pass over the log.
        const names = command.name === 'all' ? projections.map((p) => p.name) : command.name.split(',');
        const unknown = names.filter((name) => !projections.some((p) => p.name === name));
        if (unknown.length > 0 || names.length === 0) {
          process.stderr.write(
            `unknown projection "${unknown.join(', ')}"; known: ${projections.map((p) => p.name).join(', ')}\n`,
          );
          return 2;
        }
        const chosen = projections.filter((p) => names.includes(p.name));
        const reports = await rebuildProjections({ store, pool, bus, log: opsLog }, chosen, {
          compare: command.compare,
          swap: command.swap,
          onProgress: (p) => process.stdout.write(`${formatProgress(p)}\n`),
        });
        for (const report of reports) process.stdout.write(`${formatReport(report)}\n`);
        return 0;
      }
      case 'abandon': {
        const abandoned = await abandonRebuild(pool, command.name);
        process.stdout.write(
          abandoned
            ? `abandoned the rebuild of ${command.name}\n`
            : `no rebuild of ${command.name} in progress\n`,
        );
        return 0;
      }
    }
  } finally {
    await Promise.allSettled([store.close(), pool.end(), bus.close()]);
  }
}
