/**
 * Pure conversions between the port's types and @eventstore/db-client's. No I/O here, so every
 * rule the EventStoreDB adapter relies on can be tested without a server.
 */
import {
  type AppendExpectedRevision,
  type Position as EsdbPosition,
  type StreamMetadata as EsdbStreamMetadata,
  type EventData,
  eventTypeFilter,
  excludeSystemEvents,
  type Filter,
  type JSONType,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { InvalidEvent, StreamDeleted, StreamNotFound, WrongExpectedVersion } from './errors.ts';
import type {
  EventFilter,
  EventToAppend,
  ExpectedRevision,
  Position,
  RecordedEvent,
  StreamMetadata,
} from './port.ts';

/**
 * EventStoreDB cannot compute the hash chain, so the adapter stores each link in the event's own
 * metadata under this key and lifts it out again on read. Callers may not use the key themselves.
 */
export const HASH_METADATA_KEY = 'chronicle.hash';

// ---------------------------------------------------------------------------------------------
// Expected revisions

/** Validates an expected revision coming from a caller (JavaScript callers can pass anything). */
export function parseExpectedRevision(value: unknown): ExpectedRevision {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return value;
  if (typeof value === 'bigint' && value >= 0n) return value;
  throw new InvalidEvent(
    `expectedRevision must be 'any', 'no_stream', 'stream_exists' or a bigint >= 0; got ${String(value)}`,
  );
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  // The port spells the constants exactly as the client does ('any', 'no_stream', 'stream_exists').
  return expected;
}

/** How an expected revision reads inside WrongExpectedVersion (its `expected` field is a string). */
export function expectedRevisionLabel(expected: ExpectedRevision | AppendExpectedRevision): string {
  return typeof expected === 'bigint' ? expected.toString() : expected;
}

// ---------------------------------------------------------------------------------------------
// Positions

/**
 * The port has one bigint position; EventStoreDB has {commit, prepare}. Every event appended
 * through gRPC (EventStoreDB ≥ 20) is a prepare record flagged IsCommitted (an implicit
 * transaction, one record per event), and for such records the server reports
 * commit = prepare = the record's own log position (AllReader.ReadAllEventsForward:
 * `new CommitEventRecord(eventRecord, eventRecord.LogPosition)`). Only the legacy TCP API's
 * explicit transactions produced a separate commit record with commit ≠ prepare; Chronicle never
 * writes those, and a database holding them would give several events one commit position.
 * So the commit position alone identifies an event and {p, p} addresses it again.
 */
export function toEsdbPosition(position: Position): EsdbPosition {
  return { commit: position, prepare: position };
}

// ---------------------------------------------------------------------------------------------
// Events

/** JSON values EventStoreDB's JSON events can hold at the top level (the client's JSONType). */
function isJsonContainer(value: unknown): value is JSONType {
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

/**
 * An already validated event (see validation.ts) with its chain link, as the client's EventData.
 * Objects, arrays and strings go as JSON events. A bare number, boolean or null is valid port data
 * but not a JSON event body the client accepts, so it goes as UTF-8 JSON bytes and is parsed back
 * on read.
 */
export function toEsdbEvent(event: EventToAppend, hash: string): EventData {
  const metadata = { ...(event.metadata ?? {}), [HASH_METADATA_KEY]: hash };
  if (isJsonContainer(event.data)) {
    return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata };
  }
  return {
    id: event.id,
    contentType: 'application/octet-stream',
    type: event.type,
    data: new TextEncoder().encode(JSON.stringify(event.data)),
    metadata,
  };
}

/** Rejects events that try to set the adapter's reserved metadata key. */
export function assertNoReservedMetadata(events: readonly EventToAppend[]): void {
  events.forEach((event, index) => {
    if (event.metadata && Object.hasOwn(event.metadata, HASH_METADATA_KEY)) {
      throw new InvalidEvent(
        `Event ${index} (${event.type}): metadata key ${HASH_METADATA_KEY} is reserved for the hash chain`,
        index,
      );
    }
  });
}

/** The fields of the client's RecordedEvent (JSON or binary) the adapter reads. */
export interface EsdbRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Splits stored metadata into the caller's metadata and the chain link ('' when there is none). */
export function splitMetadata(stored: unknown): { metadata: Record<string, unknown>; hash: string } {
  if (!isPlainObject(stored)) return { metadata: {}, hash: '' };
  const { [HASH_METADATA_KEY]: hash, ...metadata } = stored;
  return { metadata, hash: typeof hash === 'string' ? hash : '' };
}

function decodeData(record: EsdbRecord): unknown {
  if (record.isJson || !(record.data instanceof Uint8Array)) return record.data;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(record.data));
  } catch {
    // Written by another tool as real binary: hand the bytes over rather than guess.
    return record.data;
  }
}

export function toRecordedEvent(record: EsdbRecord): RecordedEvent {
  const position = record.position?.commit;
  if (position === undefined) {
    // Stream reads carry positions only from EventStoreDB 22.10 on; the port needs them.
    throw new Error(
      `EventStoreDB returned event ${record.id} of ${record.streamId} without a position; version 22.10 or later is required`,
    );
  }
  const { metadata, hash } = splitMetadata(record.metadata);
  return {
    streamName: record.streamId,
    revision: record.revision,
    position,
    id: record.id,
    type: record.type,
    data: decodeData(record),
    metadata,
    hash,
    createdAt: record.created,
  };
}

// ---------------------------------------------------------------------------------------------
// Filters

/** `$`-prefixed streams ($$meta, $ce-, $stats-, ...) and event types ($>, $metadata, $streamDeleted, ...). */
export function isSystemEvent(event: { streamName: string; type: string }): boolean {
  return event.streamName.startsWith('$') || event.type.startsWith('$');
}

/** An empty prefix list constrains nothing, the same as leaving it out. */
function prefixes(list: readonly string[] | undefined): readonly string[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** The full port filter, applied on the client: system events never pass. */
export function matchesFilter(event: { streamName: string; type: string }, filter?: EventFilter): boolean {
  if (isSystemEvent(event)) return false;
  const streams = prefixes(filter?.streamNamePrefixes);
  if (streams && !streams.some((prefix) => event.streamName.startsWith(prefix))) return false;
  const types = prefixes(filter?.eventTypePrefixes);
  if (types && !types.some((prefix) => event.type.startsWith(prefix))) return false;
  return true;
}

/**
 * The server-side part of a subscription filter. EventStoreDB filters on stream name or event type,
 * never both, so with both kinds of prefixes the stream-name prefixes go to the server and
 * matchesFilter applies the rest. Without prefixes the server drops `$`-typed events; the
 * client-side check still removes any event of a `$` stream with an ordinary type.
 */
export function toSubscriptionFilter(filter?: EventFilter): Filter {
  const streams = prefixes(filter?.streamNamePrefixes);
  if (streams) return streamNameFilter({ prefixes: [...streams] });
  const types = prefixes(filter?.eventTypePrefixes);
  if (types) return eventTypeFilter({ prefixes: [...types] });
  return excludeSystemEvents();
}

// ---------------------------------------------------------------------------------------------
// Stream metadata

/** Keys the client translates to EventStoreDB's `$`-keys; custom metadata may not shadow them. */
const SYSTEM_METADATA_KEYS = new Set(['maxCount', 'maxAge', 'truncateBefore', 'cacheControl', 'acl']);

function assertCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
    throw new InvalidEvent(`Stream metadata ${name} must be a positive integer; got ${String(value)}`);
  }
}

export function toEsdbStreamMetadata(metadata: StreamMetadata): EsdbStreamMetadata {
  assertCount('maxCount', metadata.maxCount);
  assertCount('maxAge', metadata.maxAge);
  const esdb: EsdbStreamMetadata = {};
  for (const [key, value] of Object.entries(metadata.custom ?? {})) {
    if (SYSTEM_METADATA_KEYS.has(key) || key.startsWith('$')) {
      throw new InvalidEvent(`Custom stream metadata key ${key} is reserved by EventStoreDB`);
    }
    esdb[key] = value;
  }
  if (metadata.maxCount !== undefined) esdb.maxCount = metadata.maxCount;
  if (metadata.maxAge !== undefined) esdb.maxAge = metadata.maxAge;
  if (metadata.truncateBefore !== undefined) {
    const truncateBefore = Number(metadata.truncateBefore);
    if (metadata.truncateBefore < 0n || !Number.isSafeInteger(truncateBefore)) {
      throw new InvalidEvent(
        `Stream metadata truncateBefore must be a revision >= 0; got ${metadata.truncateBefore}`,
      );
    }
    esdb.truncateBefore = truncateBefore;
  }
  return esdb;
}

/**
 * Reads what getStreamMetadata returned. A soft delete sets `$tb` to Int64.MaxValue, which JSON
 * turns into an unsafe float: that is the deletion marker, not a truncation the caller set, so it
 * is left out (the port reports deletion through reads, not metadata).
 */
export function fromEsdbStreamMetadata(esdb: Record<string, unknown> | undefined): StreamMetadata {
  const metadata: StreamMetadata = {};
  if (!esdb) return metadata;
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(esdb)) {
    switch (key) {
      case 'maxCount':
      case 'maxAge':
        if (typeof value === 'number' && Number.isSafeInteger(value)) metadata[key] = value;
        break;
      case 'truncateBefore':
        if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
          metadata.truncateBefore = BigInt(value);
        }
        break;
      case 'cacheControl':
      case 'acl':
        break;
      default:
        custom[key] = value;
    }
  }
  if (Object.keys(custom).length > 0) metadata.custom = custom;
  return metadata;
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Maps the client's errors that the port has a typed equivalent for. Anything else (unavailable,
 * access denied, deadline, ...) is returned unchanged: it is not the caller's mistake and callers
 * must not mistake it for one.
 */
export function mapEsdbError(
  error: unknown,
  context: { stream?: string; expected?: ExpectedRevision } = {},
): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const stream = context.stream ?? error.streamName;
    const expected = expectedRevisionLabel(context.expected ?? error.expectedVersion);
    return new WrongExpectedVersion(stream, expected, error.actualVersion);
  }
  if (error instanceof StreamNotFoundError) return new StreamNotFound(context.stream ?? error.streamName);
  if (error instanceof StreamDeletedError) return new StreamDeleted(context.stream ?? error.streamName);
  if (error instanceof MaxAppendSizeExceededError) {
    return new InvalidEvent(`The append is larger than the server's limit of ${error.maxAppendSize} bytes`);
  }
  return error;
}
