import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { z } from 'zod';
import type { EventStore, EventToAppend } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { ProjectionFailure } from '../projections/apply-events.ts';
import type { ChangeBus } from '../projections/change-bus.ts';
import type { Projection } from '../projections/projection.ts';
import { abandonRebuild, type RebuildReport, rebuildProjections } from '../projections/rebuild.ts';
import { ANCHOR_STREAM_PREFIX } from './anchors.ts';
import {
  type ExportedEvent,
  type ExportManifest,
  exportedEventSchema,
  type KeyFile,
  keyFileSchema,
  manifestPathFor,
  manifestSchema,
} from './export-format.ts';
import { AnchorCheck } from './replay-anchors.ts';
import { hasKeys, importKeys } from './replay-keys.ts';
import { checkLink, ReplayRefused, type StreamProgress } from './replay-verification.ts';

export interface ReplayDeps {
  /** The target store: must be empty. */
  store: EventStore;
  /** The target's read-model database (personal-data keys, projections). */
  pool: pg.Pool;
  bus: ChangeBus;
  log: Logger;
  /** The read models to rebuild, with a codec over the target's keys. */
  projections: readonly Projection[];
  /**
   * True when the target keeps each event's source recorded-at and link rule (the embedded store),
   * so its links come out as the source's. EventStoreDB stamps its own time and links by rule 1:
   * streams whose links covered recorded-at are then checked by verifying the target's own chain.
   */
  keepsRecordedAt?: boolean;
  /**
   * Empties the target again (events, streams, keys) after a load that failed half-way, so a
   * replay is all or nothing. The embedded store can; without it a failed load leaves what it wrote.
   */
  wipe?: () => Promise<void>;
  /**
   * Notes in the target when a load starts and ends (the embedded store, with `wipe`): a load that
   * started and never ended was killed half-way, and the next replay empties it and starts again.
   */
  marker?: ReplayMarker;
}

export interface ReplayMarker {
  began(file: string, sha256: string): Promise<void>;
  ended(): Promise<void>;
  /** The load that began and never ended, if any. */
  interrupted(): Promise<{ file: string; startedAt: Date } | undefined>;
}

export interface ReplayOptions {
  /** The NDJSON file; its manifest (and key file) are read from next to it. */
  file: string;
  /** Largest append (events of one stream in a row). */
  maxEventsPerAppend?: number;
  /** Skip rebuilding the read models (load and verify only). */
  rebuild?: boolean;
  onProgress?: (progress: { phase: 'load' | 'rebuild'; done: number; total: number }) => void;
}

export interface ReplayReport {
  events: number;
  streams: number;
  /** Streams the export starts after revision 0: loaded from revision 0 in the target, their links there differ. */
  cutStreams: number;
  anchorsVerified: number;
  personalData: 'keys-file' | 'withheld' | 'key-file-absent';
  /** The first pass: SHA-256 already checked, every line parsed, chains and anchors recomputed, nothing written. */
  verify: { seconds: number; eventsPerSecond: number };
  /** The second pass: the same checks again while appending through the EventStore port. */
  load: { seconds: number; eventsPerSecond: number };
  rebuild: {
    seconds: number;
    eventsPerSecond: number;
    projections: RebuildReport[];
    /** Read models whose rebuild threw: the others are rebuilt all the same. */
    failures: { projection: string; message: string }[];
  } | null;
  commitTimesRestored: boolean;
  /**
   * The source's anchor events were loaded too: only when every event keeps its position (a whole
   * store exported from 0). Otherwise they would name the wrong positions; the target anchors itself.
   */
  anchorsCarried: boolean;
}

/** Appends a replay has sent and not yet seen answered. */
const MAX_APPENDS_IN_FLIGHT = 256;

/**
 * Connection settings for the target's pool when it is the embedded store: every append is its
 * own transaction, and waiting for each commit's WAL flush would dominate the load. A replay
 * target is a scratch copy filled from a file that stays at hand (a crash means replaying again
 * into a fresh database), so it does without synchronous commit; the data is still written and
 * crash-consistent, only the last moments before a crash may be lost.
 */
export const REPLAY_SESSION = { options: '-c synchronous_commit=off' } as const;

/**
 * Loads an export into an empty store and rebuilds every read model from it. Nothing is written
 * until the manifest, the file's SHA-256 and the key file check out and a first pass over the file
 * has validated every line and recomputed each stream's hash chain (and the anchors' Merkle roots,
 * when the file is complete for them): a refused export, named by its line, leaves the target
 * untouched. The second pass repeats those checks while it appends through the EventStore port.
 * Events keep their ids, types, data and metadata, so every chain the export starts at revision 0
 * is recomputed by the target store to the very same links, which is checked at the end.
 */
export async function replayExport(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayReport> {
  const manifest = await readManifest(options.file);
  await checkFileDigest(options.file, manifest);
  const keys = await readKeyFile(options.file, manifest);
  const interrupted = await deps.marker?.interrupted();
  if (interrupted && deps.wipe) {
    // What is in the target is what that replay loaded into it (it checked the target was empty).
    deps.log.warn(
      { file: interrupted.file, startedAt: interrupted.startedAt },
      'replay: an earlier replay into this target never finished; emptying what it loaded',
    );
    await deps.wipe();
    await deps.marker?.ended();
  }
  await assertEmpty(deps);
  // A first pass only verifies, so a refused export leaves the target untouched.
  const verifyStarted = performance.now();
  const { positionsKept } = await scan(deps, options, manifest, false);
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  const loadStarted = performance.now();
  let loaded: Loaded;
  await deps.marker?.began(options.file, manifest.file.sha256);
  try {
    if (keys) await importKeys(deps.pool, keys);
    loaded = await scan(deps, options, manifest, true, positionsKept);
  } catch (error) {
    // The first pass found nothing wrong, yet loading failed (the target's database, a crash of a
    // dependency): leave the target as empty as it was.
    if (deps.wipe) {
      await deps.wipe();
      await deps.marker?.ended();
      deps.log.error({ err: error }, 'replay: loading failed; the target was emptied again');
    }
    throw error;
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  deps.log.info({ events: loaded.events, verifySeconds, loadSeconds }, 'replay: export verified and loaded');

  let rebuild: ReplayReport['rebuild'] = null;
  if (options.rebuild !== false) {
    const started = performance.now();
    const failures: { projection: string; message: string }[] = [];
    // All read models in one pass over the log. One failing does not hold the others back (as in
    // the projector): it is reported and left out, and the rest resume from their last batch.
    let remaining = [...deps.projections];
    let reports: RebuildReport[] = [];
    while (remaining.length > 0) {
      try {
        reports = await rebuildProjections(deps, remaining, {});
        break;
      } catch (error) {
        const failed =
          error instanceof ProjectionFailure
            ? error.projection
            : remaining.length === 1
              ? remaining[0]?.name
              : undefined;
        if (failed === undefined) throw error;
        failures.push({
          projection: failed,
          message: error instanceof Error ? error.message : String(error),
        });
        deps.log.error({ err: error, projection: failed }, 'replay: a read model failed to rebuild');
        await abandonRebuild(deps.pool, failed);
        remaining = remaining.filter((p) => p.name !== failed);
      }
    }
    options.onProgress?.({ phase: 'rebuild', done: deps.projections.length, total: deps.projections.length });
    const seconds = (performance.now() - started) / 1000;
    rebuild = { seconds, eventsPerSecond: rate(loaded.events, seconds), projections: reports, failures };
  }
  // Killed before here, the next replay starts over: the read models are rebuilt from the events.
  await deps.marker?.ended();
  return {
    events: loaded.events,
    streams: loaded.streams,
    cutStreams: loaded.cutStreams,
    anchorsVerified: loaded.anchorsVerified,
    personalData: keys
      ? 'keys-file'
      : manifest.personalData.mode === 'keys-file'
        ? 'key-file-absent'
        : 'withheld',
    verify: { seconds: verifySeconds, eventsPerSecond: rate(loaded.events, verifySeconds) },
    load: { seconds: loadSeconds, eventsPerSecond: rate(loaded.events, loadSeconds) },
    rebuild,
    commitTimesRestored: deps.keepsRecordedAt === true,
    anchorsCarried: positionsKept,
  };
}

async function readManifest(file: string): Promise<ExportManifest> {
  const path = manifestPathFor(file);
  const text = await readFile(path, 'utf8').catch(() => {
    throw new ReplayRefused(
      'FILE_MISSING',
      `no manifest at ${path}: an export is the NDJSON file plus its manifest`,
    );
  });
  const parsed = manifestSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new ReplayRefused(
      'MANIFEST_INVALID',
      `manifest ${path} is invalid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

async function checkFileDigest(file: string, manifest: ExportManifest): Promise<void> {
  await access(file).catch(() => {
    throw new ReplayRefused('FILE_MISSING', `no export file at ${file}`);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    hash.update(buffer);
    bytes += buffer.length;
  }
  const actual = hash.digest('hex');
  if (actual !== manifest.file.sha256 || bytes !== manifest.file.bytes) {
    throw new ReplayRefused(
      'FILE_SHA256_MISMATCH',
      `${file}: SHA-256 mismatch, the file was changed after export (manifest: ${manifest.file.sha256}, ` +
        `${manifest.file.bytes} bytes; file: ${actual}, ${bytes} bytes)`,
    );
  }
}

async function readKeyFile(file: string, manifest: ExportManifest): Promise<KeyFile | undefined> {
  const entry = manifest.personalData.keyFile;
  if (!entry) return undefined;
  const path = join(dirname(file), entry.name);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  // A key file deleted on purpose: the replay goes on, personal fields read as erased.
  if (text === undefined) return undefined;
  const digest = createHash('sha256').update(text).digest('hex');
  if (digest !== entry.sha256) {
    throw new ReplayRefused(
      'KEY_FILE_SHA256_MISMATCH',
      `${path}: SHA-256 mismatch, the key file was changed after export`,
    );
  }
  const parsed = keyFileSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new ReplayRefused(
      'KEY_FILE_INVALID',
      `key file ${path} is invalid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

async function assertEmpty(deps: ReplayDeps): Promise<void> {
  const [first] = await deps.store.readAll({ maxCount: 1 });
  if (first) {
    throw new ReplayRefused(
      'TARGET_NOT_EMPTY',
      `the target event store is not empty (it holds ${first.streamName}@${first.revision} at position ${first.position}); replay only loads into an empty store`,
    );
  }
  if (await hasKeys(deps.pool)) {
    throw new ReplayRefused(
      'TARGET_NOT_EMPTY',
      'the target database already holds personal-data keys; replay only loads into an empty system',
    );
  }
}

interface Loaded {
  events: number;
  streams: number;
  cutStreams: number;
  anchorsVerified: number;
  /** Every event of the file lands at its source position (the file is the store from 0, whole). */
  positionsKept: boolean;
}

interface Pending {
  stream: string;
  events: ExportedEvent[];
}

async function scan(
  deps: ReplayDeps,
  options: ReplayOptions,
  manifest: ExportManifest,
  write: boolean,
  // Anchors name source positions: carried into the target only where those stay the same.
  carryAnchors = true,
): Promise<Loaded> {
  const maxPerAppend = options.maxEventsPerAppend ?? 500;
  const from = BigInt(manifest.range.fromPosition);
  const to = BigInt(manifest.range.toPosition);
  const streams = new Map<string, StreamProgress>();
  const countsByType = new Map<string, number>();
  const anchors = new AnchorCheck(manifest.anchors, manifest.completeForAnchors);
  // Anchor streams left out of the target (see carryAnchors).
  const notCarried = new Set<string>();
  let positionsKept = !manifest.prefix && !manifest.community;
  // Streams with events linked by rule 2 that a target without recorded-at links by rule 1.
  const relinked = new Set<string>();
  const ids = new Set<string>();
  let pending: Pending | undefined;
  let previousPosition: bigint | undefined;
  let count = 0;

  // Appends go out without waiting for the one before (the store's group commit shares
  // transactions between them and keeps their order); each run's revisions are known ahead.
  const inFlight: Promise<void>[] = [];
  // Every append settles before a failure is raised: one still queued could otherwise commit
  // after the caller emptied the target again.
  const settle = async () => {
    const settled = await Promise.allSettled(inFlight.splice(0));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const flush = async () => {
    if (!pending) return;
    const { stream, events } = pending;
    pending = undefined;
    const progress = streams.get(stream);
    if (!progress) throw new Error(`replay: no progress for ${stream}`);
    const base = progress.targetRevision;
    const toAppend: EventToAppend[] = events.map((e) => ({
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
    }));
    const expected = base + BigInt(events.length);
    progress.targetRevision = expected;
    const recorded = events.map((e) => ({ createdAt: new Date(e.createdAt), linkVersion: e.linkVersion }));
    if (!deps.keepsRecordedAt && events.some((e) => e.linkVersion === 2)) relinked.add(stream);
    const append = deps.store
      .append(stream, toAppend, { expectedRevision: base < 0n ? 'no_stream' : base, recorded })
      .then((result) => {
        if (result.nextExpectedRevision !== expected)
          throw new Error(`replay: ${stream} is at ${result.nextExpectedRevision}, expected ${expected}`);
      });
    // A failure is raised by `settle`, not left unhandled meanwhile.
    append.catch(() => undefined);
    inFlight.push(append);
    if (inFlight.length >= MAX_APPENDS_IN_FLIGHT) await inFlight.shift();
  };

  let anchorsVerified = 0;
  try {
    const lines = createInterface({
      input: createReadStream(options.file, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    let lineNumber = 0;
    for await (const text of lines) {
      lineNumber++;
      const event = parseLine(text, lineNumber);
      const position = BigInt(event.position);
      if (previousPosition !== undefined && position <= previousPosition) {
        throw new ReplayRefused(
          'OUT_OF_ORDER',
          `line ${lineNumber}: position ${position} does not follow ${previousPosition}`,
        );
      }
      if (
        position < from ||
        position > to ||
        (manifest.prefix && !event.stream.startsWith(manifest.prefix)) ||
        (manifest.community && event.metadata.communityId !== manifest.community)
      ) {
        throw new ReplayRefused(
          'OUT_OF_RANGE',
          `line ${lineNumber}: ${event.stream} at position ${position} is outside the manifest's range ${from}..${to}${manifest.prefix ? ` / prefix ${manifest.prefix}` : ''}${manifest.community ? ` / community ${manifest.community}` : ''}`,
        );
      }
      previousPosition = position;
      const progress = checkLink(event, streams.get(event.stream), lineNumber);
      if (!write) {
        // The first pass catches what would otherwise fail half-way through the load.
        if (ids.has(event.id)) {
          throw new ReplayRefused(
            'DUPLICATE_EVENT_ID',
            `line ${lineNumber}: event id ${event.id} appears a second time (${event.stream}@${event.revision})`,
          );
        }
        ids.add(event.id);
      }
      if (progress.cut && !streams.has(event.stream) && from === 0n) {
        // An export of the whole store holds every stream from its first event: one that starts
        // later lost its beginning after the export was written.
        throw new ReplayRefused(
          'STREAM_STARTS_LATE',
          `line ${lineNumber}: ${event.stream} starts at revision ${event.revision} in an export of the whole store; its first events are missing`,
        );
      }
      streams.set(event.stream, progress);
      anchors.add(event, lineNumber);
      countsByType.set(event.type, (countsByType.get(event.type) ?? 0) + 1);
      count++;
      if (BigInt(event.position) !== BigInt(count - 1)) positionsKept = false;
      if (!write) continue;
      if (!carryAnchors && event.stream.startsWith(ANCHOR_STREAM_PREFIX)) {
        notCarried.add(event.stream);
        continue;
      }
      if (pending && (pending.stream !== event.stream || pending.events.length >= maxPerAppend))
        await flush();
      pending ??= { stream: event.stream, events: [] };
      pending.events.push(event);
      if (count % 5000 === 0)
        options.onProgress?.({ phase: 'load', done: count, total: manifest.eventCount });
    }
    checkCounts(manifest, count, countsByType);
    anchorsVerified = anchors.finish();
    if (write) {
      await flush();
      await settle();
      for (const stream of notCarried) streams.delete(stream);
      await checkTargetChains(deps.store, streams, relinked);
    }
  } catch (error) {
    // No append may still be on its way when the caller reacts: a wipe must come after the last.
    await Promise.allSettled(inFlight.splice(0));
    throw error;
  }
  return {
    events: count,
    streams: streams.size,
    cutStreams: [...streams.values()].filter((s) => s.cut).length,
    anchorsVerified,
    positionsKept,
  };
}

function parseLine(text: string, line: number): ExportedEvent {
  const parsed = exportedEventSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    throw new ReplayRefused(
      'LINE_INVALID',
      `line ${line} is not an exported event: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

function checkCounts(manifest: ExportManifest, count: number, countsByType: Map<string, number>): void {
  if (count !== manifest.eventCount) {
    throw new ReplayRefused(
      'COUNT_MISMATCH',
      `the file holds ${count} events, the manifest says ${manifest.eventCount}`,
    );
  }
  const types = new Set([...countsByType.keys(), ...Object.keys(manifest.countsByType)]);
  for (const type of types) {
    const inFile = countsByType.get(type) ?? 0;
    const inManifest = manifest.countsByType[type] ?? 0;
    if (inFile !== inManifest) {
      throw new ReplayRefused(
        'COUNT_MISMATCH',
        `the file holds ${inFile} ${type} events, the manifest says ${inManifest}`,
      );
    }
  }
}

/**
 * The target computed its own links; for every stream exported from revision 0 its tip must be the
 * source's. A `relinked` stream (rule-2 links in a target that links by rule 1) must verify instead.
 */
async function checkTargetChains(
  store: EventStore,
  streams: Map<string, StreamProgress>,
  relinked: ReadonlySet<string>,
): Promise<void> {
  for (const [stream, progress] of streams) {
    if (progress.cut) continue;
    if (relinked.has(stream)) {
      const verification = await store.verifyStream(stream);
      if (!verification.ok) {
        throw new ReplayRefused('TARGET_CHAIN_DIFFERS', `${stream}: the target's own chain does not verify`);
      }
      continue;
    }
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (last?.hash !== progress.hash) {
      throw new ReplayRefused(
        'TARGET_CHAIN_DIFFERS',
        `${stream}: the target's chain ends in ${last?.hash ?? 'nothing'}, the export's in ${progress.hash}`,
      );
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rate(events: number, seconds: number): number {
  return seconds > 0 ? events / seconds : 0;
}

/** The replay marker of an embedded target, in its audit_replays table. */
export function embeddedReplayMarker(pool: pg.Pool): ReplayMarker {
  return {
    async began(file, sha256) {
      await pool.query('insert into audit_replays (file, file_sha256) values ($1, $2)', [file, sha256]);
    },
    async ended() {
      await pool.query('update audit_replays set finished_at = now() where finished_at is null');
    },
    async interrupted() {
      const { rows } = await pool.query<{ file: string; started_at: Date }>(
        'select file, started_at from audit_replays where finished_at is null order by id desc limit 1',
      );
      const [row] = rows;
      return row ? { file: row.file, startedAt: row.started_at } : undefined;
    },
  };
}

/** `ReplayDeps.wipe` for the embedded store: the target was empty, so this is where it started. */
export function wipeEmbeddedTarget(pool: pg.Pool): () => Promise<void> {
  return async () => {
    await pool.query('truncate es_events, es_streams, personal_data_keys');
  };
}
