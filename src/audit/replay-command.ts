import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventCodec } from '../commands/event-codec.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import { PostgresEventStore } from '../eventstore/postgres/postgres-event-store.ts';
import { DEFAULT_LIMITS } from '../eventstore/validation.ts';
import { migrate } from '../infra/migrate.ts';
import { createPool } from '../infra/pg-pool.ts';
import { PostgresPersonalDataKeys } from '../privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../projections/change-bus.ts';
import { createProjections } from '../projections/registry.ts';
import { type AuditIo, AuditUsageError, asUsageError } from './export-command.ts';
import {
  embeddedReplayMarker,
  REPLAY_SESSION,
  type ReplayReport,
  replayExport,
  wipeEmbeddedTarget,
} from './replay.ts';
import { ReplayRefused } from './replay-verification.ts';

export const REPLAY_USAGE = 'audit replay <file> [--database-url <url>] [--no-rebuild]';

export interface ReplayCommand {
  file: string;
  databaseUrl?: string;
  rebuild: boolean;
}

export function parseReplayCommand(args: readonly string[]): ReplayCommand {
  const { values, positionals } = asUsageError(() =>
    parseArgs({
      args: [...args],
      options: { 'database-url': { type: 'string' }, 'no-rebuild': { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new AuditUsageError(`replay takes one export file: ${REPLAY_USAGE}`);
  return {
    file,
    ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
    rebuild: values['no-rebuild'] !== true,
  };
}

/**
 * `chronicle audit replay`: migrates the target database, refuses it unless its store is empty,
 * loads and verifies the export, rebuilds every read model and prints the speeds. The target is
 * `--database-url`, else DATABASE_URL (never the dev default: a replay goes somewhere on purpose).
 * Events go through the EventStore port, so with EVENTSTORE_CONNECTION_STRING they land in that
 * EventStoreDB (which must be empty) and only the read models and keys go to the database.
 */
export async function runAuditReplay(args: readonly string[], io: AuditIo): Promise<number> {
  const { config, log } = io;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let command: ReplayCommand;
  try {
    command = parseReplayCommand(args);
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    stderr.write(`chronicle: ${error.message}\nUsage: chronicle ${REPLAY_USAGE}\n`);
    return 2;
  }
  const databaseUrl = command.databaseUrl ?? config.DATABASE_URL;
  if (!databaseUrl) {
    stderr.write(`chronicle: audit replay needs --database-url or DATABASE_URL (an empty database)\n`);
    return 2;
  }
  const opsLog = log.child({ component: 'audit-replay' });
  await migrate(databaseUrl, opsLog);
  const embedded = !config.EVENTSTORE_CONNECTION_STRING;
  const pool = createPool(
    { connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 5_000, ...REPLAY_SESSION },
    opsLog,
  );
  const store = embedded
    ? new PostgresEventStore({
        connectionString: databaseUrl,
        log: opsLog,
        pool,
        limits: { ...DEFAULT_LIMITS, maxEventBytes: config.EVENTSTORE_MAX_EVENT_BYTES },
      })
    : createEventStore(config, databaseUrl, opsLog);
  // The target's notifications stay in this process: a replay must not wake a live system's readers.
  const bus = new InProcessChangeBus();
  const codec = createEventCodec(new PostgresPersonalDataKeys(pool));
  try {
    const report = await replayExport(
      {
        store,
        pool,
        bus,
        log: opsLog,
        projections: createProjections({ codec }),
        ...(embedded
          ? { keepsRecordedAt: true, wipe: wipeEmbeddedTarget(pool), marker: embeddedReplayMarker(pool) }
          : {}),
      },
      {
        file: resolve(command.file),
        rebuild: command.rebuild,
        onProgress: (p) =>
          stdout.write(
            p.phase === 'load'
              ? `loaded ${p.done}/${p.total} events\n`
              : `rebuilt ${p.done}/${p.total} read models\n`,
          ),
      },
    );
    stdout.write(formatReplayReport(report));
    for (const failure of report.rebuild?.failures ?? []) {
      stderr.write(
        `chronicle: audit replay: read model ${failure.projection} failed to rebuild: ${failure.message}\n`,
      );
    }
    return report.rebuild?.failures.length ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ReplayRefused)) throw error;
    stderr.write(`chronicle: audit replay refused (${error.code}): ${error.message}\n`);
    return 1;
  } finally {
    await Promise.allSettled([store.close(), bus.close()]);
    await pool.end();
  }
}

export function formatReplayReport(report: ReplayReport): string {
  const lines = [
    `replayed ${report.events} events into ${report.streams} streams (${report.cutStreams} cut by the range start)`,
    `  verify   ${report.verify.eventsPerSecond.toFixed(0)} events/s (${report.verify.seconds.toFixed(2)} s; SHA-256, hash chains, ${report.anchorsVerified} anchors)`,
    `  load     ${report.load.eventsPerSecond.toFixed(0)} events/s (${report.load.seconds.toFixed(2)} s)`,
    report.rebuild
      ? `  rebuild  ${report.rebuild.eventsPerSecond.toFixed(0)} events/s (${report.rebuild.seconds.toFixed(2)} s, ${report.rebuild.projections.length} read models)`
      : '  rebuild  skipped (--no-rebuild)',
    `  personal data: ${report.personalData}; commit times ${report.commitTimesRestored ? 'restored from the export' : "are the target store's"}`,
    `  anchors: ${report.anchorsCarried ? "the source's, carried over (every position kept)" : "not carried over (positions differ from the source's); the target's projector anchors it afresh"}`,
  ];
  return `${lines.join('\n')}\n`;
}
