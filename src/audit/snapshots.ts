import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { DomainError } from '../domain/shared/domain-error.ts';
import { canonicalJson } from '../eventstore/hash-chain.ts';
import type { Logger } from '../logger.ts';
import { decryptField, encryptField, isEncryptedField } from '../privacy/field-encryption.ts';
import type { PersonalDataKeys } from '../privacy/personal-data-keys.ts';

/**
 * Snapshots of aggregate states, so `aggregateAt` on a long stream folds at most `every` events.
 * They are a cache and never trusted over the events:
 * - taken only from a fold of the stored events, at every `every`-th event an `aggregateAt` fold
 *   passes (revisions every-1, 2*every-1, ...);
 * - keyed by the aggregate's fingerprint (catalogue types + schema versions + `snapshotVersion`), so
 *   a snapshot of an older decider is never found;
 * - stored with the hash-chain link of the event they were taken at; the reader compares it with
 *   the link of the stored event at that revision and ignores the snapshot on any difference;
 * - written only if the encoded state decodes back to exactly the state (a state this encoding
 *   cannot represent is simply not snapshotted).
 *
 * Personal data: a state folded from events that hold one person's personal data is stored as an
 * AES-256-GCM envelope under that person's key (the key that encrypts those events), bound to the
 * stream, revision and fingerprint. Forgetting the person destroys the key: the snapshot can no
 * longer be opened, is ignored, and the fold from the events shows their data as null. A state
 * holding the personal data of several people is not snapshotted at all.
 */

export const DEFAULT_SNAPSHOT_EVERY = 500;

export interface StoredSnapshot {
  revision: bigint;
  /** Hex link of the hash chain at `revision`, as the store had it when the snapshot was taken. */
  eventHash: string;
  maxOccurredAt: Date;
  /** Encoded state, or an encrypted envelope of it when `subject` is set. */
  state: unknown;
  subject: string | null;
}

export interface NewSnapshot extends StoredSnapshot {
  stream: string;
  fingerprint: string;
}

export type SnapshotBound = { revision: bigint } | { at: Date };

export interface SnapshotStore {
  /** Snapshots events take `every` events apart. */
  readonly every: number;
  /** The newest snapshot at or before the bound (by revision, or all of its events at or before `at`). */
  latest(stream: string, fingerprint: string, bound: SnapshotBound): Promise<StoredSnapshot | undefined>;
  save(snapshots: readonly NewSnapshot[]): Promise<void>;
}

interface SnapshotRow {
  revision: string;
  event_hash: string;
  max_occurred_at: Date;
  state: unknown;
  subject: string | null;
  mac: string | null;
}

/** The snapshots' MAC key, derived from AUTH_SECRET: whoever can only write the database cannot make one. */
export function snapshotMacKey(authSecret: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/audit-snapshot-mac', 32));
}

function snapshotMac(key: Buffer, stream: string, fingerprint: string, s: StoredSnapshot): string {
  const fields = [
    stream,
    fingerprint,
    s.revision.toString(),
    s.eventHash,
    s.maxOccurredAt.toISOString(),
    s.subject,
  ];
  return createHmac('sha256', key)
    .update(canonicalJson([...fields, s.state]))
    .digest('hex');
}

/**
 * Snapshots in the `audit_snapshots` table (migrations/1732350000012, …21). Each row carries a MAC
 * under `macKey`; `latest` ignores a row whose MAC does not match (forged, edited, or older than
 * the MAC), so a snapshot is used only if Chronicle itself wrote it.
 */
export function postgresSnapshotStore(
  pool: pg.Pool,
  macKey: Buffer,
  every = DEFAULT_SNAPSHOT_EVERY,
): SnapshotStore {
  if (!Number.isInteger(every) || every < 1) throw new Error(`snapshot interval must be ≥ 1, got ${every}`);
  return {
    every,
    async latest(stream, fingerprint, bound) {
      const [condition, value] =
        'revision' in bound
          ? ['revision <= $3', bound.revision.toString()]
          : ['max_occurred_at <= $3', bound.at.toISOString()];
      const { rows } = await pool.query<SnapshotRow>(
        // Ordered by the bigint column: `order by revision` would sort the text alias.
        `select s.revision::text as revision, encode(s.event_hash, 'hex') as event_hash, s.max_occurred_at,
                s.state, s.subject, encode(s.mac, 'hex') as mac
           from audit_snapshots s
          where s.stream_name = $1 and s.fingerprint = $2 and s.${condition}
          order by s.revision desc limit 1`,
        [stream, fingerprint, value],
      );
      const [row] = rows;
      if (!row) return undefined;
      const snapshot: StoredSnapshot = {
        revision: BigInt(row.revision),
        eventHash: row.event_hash,
        maxOccurredAt: row.max_occurred_at,
        state: row.state,
        subject: row.subject,
      };
      const expected = snapshotMac(macKey, stream, fingerprint, snapshot);
      const macMatches =
        row.mac !== null &&
        row.mac.length === expected.length &&
        timingSafeEqual(Buffer.from(row.mac, 'hex'), Buffer.from(expected, 'hex'));
      // Not written by Chronicle: the caller folds from the events (and writes a true one).
      return macMatches ? snapshot : undefined;
    },
    async save(snapshots) {
      if (snapshots.length === 0) return;
      await pool.query(
        `insert into audit_snapshots (stream_name, fingerprint, revision, event_hash, max_occurred_at, state, subject, mac)
         select s.stream_name, s.fingerprint, s.revision, decode(s.event_hash, 'hex'), s.max_occurred_at, s.state, s.subject,
                decode(s.mac, 'hex')
           from jsonb_to_recordset($1::jsonb) as s(stream_name text, fingerprint text, revision bigint,
                event_hash text, max_occurred_at timestamptz, state jsonb, subject text, mac text)
         on conflict (stream_name, fingerprint, revision) do update
           set event_hash = excluded.event_hash, max_occurred_at = excluded.max_occurred_at,
               state = excluded.state, subject = excluded.subject, mac = excluded.mac, created_at = now()`,
        [
          JSON.stringify(
            snapshots.map((s) => ({
              stream_name: s.stream,
              fingerprint: s.fingerprint,
              revision: s.revision.toString(),
              event_hash: s.eventHash,
              max_occurred_at: s.maxOccurredAt.toISOString(),
              state: s.state,
              subject: s.subject,
              mac: snapshotMac(macKey, s.stream, s.fingerprint, s),
            })),
          ),
        ],
      );
    },
  };
}

const snapshotAad = (stream: string, fingerprint: string, revision: bigint) =>
  JSON.stringify(['audit-snapshot', stream, fingerprint, revision.toString()]);

/**
 * The stored form of a state: its encoding, encrypted under the subject's key when it holds personal
 * data. Undefined when it must not or cannot be stored (several subjects, a forgotten subject, or a
 * state the encoding does not round-trip).
 */
export async function sealState(
  keys: PersonalDataKeys,
  state: unknown,
  where: { stream: string; fingerprint: string; revision: bigint; subjects: ReadonlySet<string> },
): Promise<{ state: unknown; subject: string | null } | undefined> {
  const encoded = encodeState(state);
  if (encoded === undefined) return undefined;
  if (where.subjects.size === 0) return { state: encoded, subject: null };
  if (where.subjects.size > 1) return undefined;
  const [subject] = where.subjects;
  if (subject === undefined) return undefined;
  try {
    const key = await keys.keyFor(subject);
    const aad = snapshotAad(where.stream, where.fingerprint, where.revision);
    return { state: encryptField(JSON.stringify(encoded), key, aad), subject };
  } catch (error) {
    // A forgotten person gets no new key: their state (already null where personal) is not kept.
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}

/** The state a snapshot holds; undefined when it cannot be opened (key destroyed, tampered, foreign). */
export async function openState(
  keys: PersonalDataKeys,
  snapshot: StoredSnapshot,
  where: { stream: string; fingerprint: string },
  log?: Logger,
): Promise<{ state: unknown } | undefined> {
  try {
    if (snapshot.subject === null) {
      if (isEncryptedField(snapshot.state)) return undefined;
      return { state: decodeState(snapshot.state) };
    }
    if (!isEncryptedField(snapshot.state)) return undefined;
    const key = await keys.find(snapshot.subject, snapshot.state.kid);
    if (!key) return undefined;
    const aad = snapshotAad(where.stream, where.fingerprint, snapshot.revision);
    return { state: decodeState(JSON.parse(decryptField(snapshot.state, key, aad))) };
  } catch (error) {
    log?.warn(
      { err: error, stream: where.stream, revision: snapshot.revision.toString() },
      'unreadable snapshot ignored',
    );
    return undefined;
  }
}

const TAG = '$snapshot';

/**
 * JSON that keeps what plain JSON would lose in a state (bigint, Date, Map, Set, undefined members),
 * or undefined when the state does not survive the round trip (class instances, functions, a
 * member named like the tag).
 */
export function encodeState(state: unknown): unknown {
  const encoded = encode(state);
  const roundTrip = decodeState(JSON.parse(JSON.stringify(encoded)));
  return isDeepStrictEqual(roundTrip, state) ? encoded : undefined;
}

function encode(value: unknown): unknown {
  if (typeof value === 'bigint') return { [TAG]: 'bigint', value: value.toString() };
  if (value === undefined) return { [TAG]: 'undefined' };
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { [TAG]: 'date', value: value.toISOString() };
  if (value instanceof Map)
    return { [TAG]: 'map', value: [...value].map(([k, v]) => [encode(k), encode(v)]) };
  if (value instanceof Set) return { [TAG]: 'set', value: [...value].map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, encode(member)]));
}

export function decodeState(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeState);
  const record: Record<string, unknown> = { ...value };
  const tag = record[TAG];
  if (tag !== undefined) {
    const inner = record.value;
    switch (tag) {
      case 'bigint':
        return BigInt(String(inner));
      case 'undefined':
        return undefined;
      case 'date':
        return new Date(String(inner));
      case 'map':
        return new Map(Array.isArray(inner) ? inner.map((entry) => pairOf(entry)) : []);
      case 'set':
        return new Set(Array.isArray(inner) ? inner.map(decodeState) : []);
      default:
        throw new Error(`Unknown snapshot tag ${String(tag)}`);
    }
  }
  return Object.fromEntries(Object.entries(record).map(([key, member]) => [key, decodeState(member)]));
}

function pairOf(entry: unknown): [unknown, unknown] {
  if (!Array.isArray(entry) || entry.length !== 2) throw new Error('A snapshot map entry is a pair');
  return [decodeState(entry[0]), decodeState(entry[1])];
}
