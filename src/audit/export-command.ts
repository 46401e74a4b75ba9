import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageVersion } from '../api/package-version.ts';
import type { Config } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import type { EventStore } from '../eventstore/port.ts';
import { createPool } from '../infra/pg-pool.ts';
import type { Logger } from '../logger.ts';
import { PostgresPersonalDataKeys } from '../privacy/postgres-personal-data-keys.ts';
import { operatorDatabaseUrl } from '../roles/dev-lock.ts';
import { listAnchors } from './anchors.ts';
import { exportEvents } from './export.ts';
import type { ExportedAnchor } from './export-format.ts';
import { ExportRangeError, parseRangeBound } from './export-range.ts';

export const EXPORT_USAGE =
  'audit export --out <file> [--from <position|ISO time>] [--to <position|ISO time>] [--prefix <stream prefix>] [--community <community id>] [--without-personal-data]';

export class AuditUsageError extends Error {}

/** What `runAuditCommand` (cli.ts) hands each audit command. */
export interface AuditIo {
  config: Config;
  log: Logger;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface ExportCommand {
  out: string;
  from?: string;
  to?: string;
  prefix?: string;
  /** Lower-cased: the pipeline writes `metadata.communityId` lower-case. */
  community?: string;
  withoutPersonalData: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EXPORT_OPTIONS = {
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  prefix: { type: 'string' },
  community: { type: 'string' },
  'without-personal-data': { type: 'boolean' },
} as const;

export function parseExportCommand(args: readonly string[]): ExportCommand {
  const { values } = asUsageError(() =>
    parseArgs({ args: [...args], options: EXPORT_OPTIONS, strict: true, allowPositionals: false }),
  );
  if (!values.out) throw new AuditUsageError('--out is required');
  if (values.community !== undefined && !UUID.test(values.community)) {
    throw new AuditUsageError(`--community must be a community id (a uuid), got "${values.community}"`);
  }
  return {
    out: values.out,
    ...(values.from === undefined ? {} : { from: values.from }),
    ...(values.to === undefined ? {} : { to: values.to }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(values.community === undefined ? {} : { community: values.community.toLowerCase() }),
    withoutPersonalData: values['without-personal-data'] === true,
  };
}

export function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new AuditUsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `chronicle audit export`: writes the NDJSON file, its manifest and (unless withheld) the key file. */
export async function runAuditExport(args: readonly string[], io: AuditIo): Promise<number> {
  const { config, log } = io;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let command: ExportCommand;
  let from: ReturnType<typeof parseRangeBound> | undefined;
  let to: ReturnType<typeof parseRangeBound> | undefined;
  try {
    command = parseExportCommand(args);
    from = command.from === undefined ? undefined : parseRangeBound(command.from, 'from');
    to = command.to === undefined ? undefined : parseRangeBound(command.to, 'to');
  } catch (error) {
    if (error instanceof AuditUsageError || error instanceof ExportRangeError) {
      stderr.write(`chronicle: ${error.message}\nUsage: chronicle ${EXPORT_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const databaseUrl = await operatorDatabaseUrl(config);
  const opsLog = log.child({ component: 'audit-export' });
  const pool = createPool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5_000 }, opsLog);
  const store = createEventStore(config, databaseUrl, opsLog);
  try {
    const out = resolve(command.out);
    const result = await exportEvents(
      {
        store,
        keys: new PostgresPersonalDataKeys(pool, { cacheTtlMs: 0 }),
        anchorsWithin: anchorsWithin(store),
      },
      {
        out,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(command.prefix ? { prefix: command.prefix } : {}),
        ...(command.community ? { community: command.community } : {}),
        withoutPersonalData: command.withoutPersonalData,
        toolVersion: packageVersion(),
        requested: {
          ...(command.from ? { from: command.from } : {}),
          ...(command.to ? { to: command.to } : {}),
        },
      },
    );
    const { manifest } = result;
    stdout.write(
      `${[
        `exported ${manifest.eventCount} events (${manifest.streamCount} streams)${manifest.community ? ` of community ${manifest.community}` : ''} from positions ${manifest.range.fromPosition}..${manifest.range.toPosition} to ${out}`,
        `  manifest  ${result.manifestPath} (sha256 ${manifest.file.sha256})`,
        `  anchors   ${manifest.anchors.length} covered${manifest.completeForAnchors ? '' : ` (file not complete for them: ${manifest.community ? '--community' : '--prefix'})`}`,
        result.keyFilePath
          ? `  keys      ${result.keyFilePath} (${manifest.personalData.subjects - manifest.personalData.forgottenSubjects} people; forgotten: ${manifest.personalData.forgottenSubjects}) -- secret, owner-only; keep it apart from the export`
          : '  keys      withheld (--without-personal-data): personal fields stay encrypted',
        `  ${(manifest.eventCount / Math.max(result.seconds, 1e-6)).toFixed(0)} events/s`,
      ].join('\n')}\n`,
    );
    return 0;
  } finally {
    await Promise.allSettled([store.close(), pool.end()]);
  }
}

/** The anchors whose whole range lies in [from, to], in the manifest's shape. */
function anchorsWithin(store: EventStore) {
  return async (from: bigint, to: bigint): Promise<ExportedAnchor[]> => {
    const anchors = await listAnchors(store, { from, to });
    return anchors
      .filter((a) => a.fromPosition >= from && a.toPosition <= to)
      .map((a) => ({
        stream: a.stream,
        fromPosition: a.fromPosition.toString(),
        toPosition: a.toPosition.toString(),
        eventCount: a.eventCount,
        merkleRoot: a.merkleRoot,
        algorithm: a.algorithm,
      }));
  };
}
