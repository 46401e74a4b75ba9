import type { EventCodec } from '../commands/event-codec.ts';
import { conflict, notFound, validation } from '../domain/shared/domain-error.ts';
import { StreamDeleted, StreamNotFound } from '../eventstore/errors.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import type { PersonalDataKeys } from '../privacy/personal-data-keys.ts';
import { occurredAt } from '../projections/read-models/occurred-at.ts';
import { type AuditedAggregate, requireAuditedAggregate } from './aggregate-registry.ts';
import { toJsonSafe } from './json-safe.ts';
import { redactKeys } from './redaction.ts';
import { type NewSnapshot, openState, type SnapshotStore, sealState } from './snapshots.ts';

export interface AggregateAtDeps {
  store: EventStore;
  codec: Pick<EventCodec, 'decode'>;
  keys: PersonalDataKeys;
  /** Without it every answer folds the whole prefix of the stream (the baseline). */
  snapshots?: SnapshotStore;
  log?: Logger;
}

/** Up to and including this revision, or every event that occurred at or before `at`. */
export type PointInTime = { revision: bigint } | { at: Date };

export interface AggregateAtQuery {
  category: string;
  id: string;
  point: PointInTime;
}

export interface AggregateAt {
  category: string;
  id: string;
  stream: string;
  /** Revision of the last event folded; null when no event was at or before `at`. */
  revision: bigint | null;
  position: bigint | null;
  /** occurredAt of the last event folded. */
  occurredAt: string | null;
  /** Hash-chain link of the last event folded: the state is the fold of exactly that chain. */
  hash: string | null;
  /** The folded state, JSON-safe (bigints as strings, dates as ISO strings). */
  state: unknown;
  /** The snapshot the fold started from, if one was used. */
  snapshotRevision: bigint | null;
  /** Events read from the store to answer (the ones after the snapshot, or all of them). */
  eventsRead: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 1000;

/**
 * The aggregate's state as it was at a revision or an instant, folded with the aggregate's own
 * `evolve` from the stored events (upcast and decoded by the codec as of now: a forgotten person's
 * data reads as null). Time means the events' `occurredAt`: the prefix of the stream up to the
 * first event that occurred after `at`. A usable snapshot shortens the fold; one that fails any
 * check is ignored and the fold starts from the first event.
 */
/** Revisions are signed 64-bit integers in both stores. */
const MAX_REVISION = 2n ** 63n - 1n;

/** What PostgreSQL's timestamptz and ISO 8601 both hold (there is no year 0 in PostgreSQL). */
function withinStoredYears(at: Date): boolean {
  const year = at.getUTCFullYear();
  return !Number.isNaN(at.getTime()) && year >= 1 && year <= 9999;
}

export async function aggregateAt(deps: AggregateAtDeps, query: AggregateAtQuery): Promise<AggregateAt> {
  const aggregate = requireAuditedAggregate(query.category);
  if (!UUID.test(query.id)) throw validation('INVALID_ID', 'An aggregate id is a UUID');
  if ('revision' in query.point && (query.point.revision < 0n || query.point.revision > MAX_REVISION)) {
    throw validation('INVALID_REVISION', `A revision is between 0 and ${MAX_REVISION}`);
  }
  if ('at' in query.point && !withinStoredYears(query.point.at)) {
    throw validation('INVALID_TIME', 'A point in time is between the years 1 and 9999');
  }
  const stream = `${aggregate.category}-${query.id.toLowerCase()}`;
  const snapshot = await usableSnapshot(deps, aggregate, stream, query.point);
  const folded =
    (snapshot && (await foldFrom(deps, aggregate, stream, query.point, snapshot))) ??
    (await foldFrom(deps, aggregate, stream, query.point, undefined));
  if (!folded) throw notFound('STREAM_NOT_FOUND', `No stream ${stream}`, { stream });
  if ('revision' in query.point && folded.last?.revision !== query.point.revision) {
    throw notFound('REVISION_NOT_FOUND', `${stream} has no revision ${query.point.revision}`, {
      stream,
      head: folded.last?.revision.toString() ?? null,
    });
  }
  if (deps.snapshots && folded.toSave.length > 0) await saveQuietly(deps, folded.toSave, stream);
  const { last } = folded;
  return {
    category: aggregate.category,
    id: query.id.toLowerCase(),
    stream,
    revision: last?.revision ?? null,
    position: last?.position ?? null,
    occurredAt: last ? occurredAtOf(last) : null,
    hash: last?.hash ?? null,
    state: redactKeys(toJsonSafe(folded.state), aggregate.credentialStateKeys),
    snapshotRevision: folded.snapshotRevision,
    eventsRead: folded.eventsRead,
  };
}

interface OpenedSnapshot {
  revision: bigint;
  eventHash: string;
  maxOccurredAt: Date;
  subject: string | null;
  state: unknown;
}

async function usableSnapshot(
  deps: AggregateAtDeps,
  aggregate: AuditedAggregate,
  stream: string,
  point: PointInTime,
): Promise<OpenedSnapshot | undefined> {
  if (!deps.snapshots) return undefined;
  const stored = await deps.snapshots.latest(stream, aggregate.fingerprint, point);
  if (!stored) return undefined;
  const opened = await openState(deps.keys, stored, { stream, fingerprint: aggregate.fingerprint }, deps.log);
  return opened && { ...stored, state: opened.state };
}

interface Folded {
  state: unknown;
  last: RecordedEvent | undefined;
  snapshotRevision: bigint | null;
  eventsRead: number;
  toSave: NewSnapshot[];
}

/**
 * Reads forward from the snapshot's revision (or the start) and folds until the point in time.
 * Undefined when the stream does not exist, or when the snapshot does not match the stored event
 * at its revision (the caller then folds from the start).
 */
async function foldFrom(
  deps: AggregateAtDeps,
  aggregate: AuditedAggregate,
  stream: string,
  point: PointInTime,
  snapshot: OpenedSnapshot | undefined,
): Promise<Folded | undefined> {
  const fold = aggregate.fold(deps.codec, snapshot && { state: snapshot.state });
  const subjects = new Set<string>(snapshot?.subject ? [snapshot.subject] : []);
  let maxOccurredAt = snapshot?.maxOccurredAt.getTime() ?? Number.NEGATIVE_INFINITY;
  let last: RecordedEvent | undefined;
  let eventsRead = 0;
  const toSave: NewSnapshot[] = [];
  let next = snapshot?.revision ?? 0n;
  // After a snapshot the point is most likely within the next `every` events (else a later
  // snapshot would have been found): a first page of that size, not a full one.
  let pageSize = snapshot && deps.snapshots ? Math.min(PAGE, deps.snapshots.every + 1) : PAGE;
  for (;;) {
    const remaining = 'revision' in point ? Number(point.revision - next + 1n) : pageSize;
    if (remaining <= 0) break;
    const wanted = Math.min(pageSize, remaining);
    const page = await readPage(deps.store, stream, next, wanted);
    if (page === undefined) return undefined;
    const [firstOfPage] = page;
    if (firstOfPage && firstOfPage.revision !== next) {
      // Stream metadata (truncateBefore, maxCount, maxAge) hides the events before it: a fold of
      // what is left would be a state the aggregate never had.
      throw conflict(
        'HISTORY_TRUNCATED',
        `${stream}: revisions ${next} to ${firstOfPage.revision - 1n} are no longer readable (the stream's metadata truncates it), so no state can be folded`,
        { stream, firstReadable: firstOfPage.revision.toString() },
      );
    }
    eventsRead += page.length;
    let index = 0;
    if (snapshot && next === snapshot.revision) {
      const [first] = page;
      if (!first || first.revision !== snapshot.revision || first.hash !== snapshot.eventHash) {
        deps.log?.warn(
          { stream, revision: snapshot.revision.toString() },
          'snapshot does not match its event; ignored',
        );
        return undefined;
      }
      last = first;
      index = 1;
    }
    for (; index < page.length; index++) {
      const recorded = page[index];
      if (!recorded) break;
      const occurred = Date.parse(occurredAtOf(recorded));
      if ('at' in point && occurred > point.at.getTime()) return done();
      try {
        await fold.apply(recorded);
      } catch (error) {
        // An event this code cannot read (a schema it no longer knows, an edited row): say which.
        throw conflict(
          'UNDECODABLE_EVENT',
          `${stream}@${recorded.revision} (${recorded.type}) cannot be folded: ${error instanceof Error ? error.message : String(error)}`,
          { stream, revision: recorded.revision.toString(), type: recorded.type },
        );
      }
      last = recorded;
      maxOccurredAt = Math.max(maxOccurredAt, occurred);
      const subject = recorded.metadata.personalDataSubject;
      if (typeof subject === 'string') subjects.add(subject);
      if (deps.snapshots && (recorded.revision + 1n) % BigInt(deps.snapshots.every) === 0n) {
        const sealed = await sealState(deps.keys, fold.state, {
          stream,
          fingerprint: aggregate.fingerprint,
          revision: recorded.revision,
          subjects,
        });
        if (sealed) {
          toSave.push({
            stream,
            fingerprint: aggregate.fingerprint,
            revision: recorded.revision,
            eventHash: recorded.hash,
            maxOccurredAt: new Date(maxOccurredAt),
            ...sealed,
          });
        }
      }
    }
    const lastOfPage = page.at(-1);
    if (!lastOfPage || page.length < wanted) break;
    next = lastOfPage.revision + 1n;
    pageSize = PAGE;
  }
  return done();

  function done(): Folded {
    return { state: fold.state, last, snapshotRevision: snapshot?.revision ?? null, eventsRead, toSave };
  }
}

async function readPage(
  store: EventStore,
  stream: string,
  from: bigint,
  maxCount: number,
): Promise<RecordedEvent[] | undefined> {
  try {
    return await store.readStream(stream, { fromRevision: from, maxCount });
  } catch (error) {
    if (error instanceof StreamNotFound) return undefined;
    if (error instanceof StreamDeleted) throw notFound('STREAM_DELETED', `${stream} was deleted`, { stream });
    throw error;
  }
}

/** Snapshots are an optimisation: failing to write one never fails the answer. */
async function saveQuietly(deps: AggregateAtDeps, snapshots: NewSnapshot[], stream: string) {
  try {
    await deps.snapshots?.save(snapshots);
  } catch (error) {
    deps.log?.warn({ err: error, stream }, 'could not store aggregate snapshots');
  }
}

/** The command's time (metadata `occurredAt`), else the store's commit time: what `audit_index` keeps. */
export const occurredAtOf = occurredAt;
