/**
 * The event store port. Two adapters implement it (embedded PostgreSQL, EventStoreDB) and both
 * pass the one conformance suite in test/eventstore/. Semantics follow EventStoreDB's so the
 * adapters can be swapped without callers noticing.
 *
 * Revisions and positions are bigints: EventStoreDB's are 64-bit, and silently losing precision
 * in a position would make a subscriber skip or repeat events.
 */

/** A stream's revision: the 0-based index of its last event. */
export type StreamRevision = bigint;

/** A global position in `$all`: totally ordered, not dense (gaps are normal). */
export type Position = bigint;

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

export interface EventToAppend {
  /** UUID. Appending an id that is already at that point of the stream writes nothing (idempotency). */
  id: string;
  type: string;
  /** Any JSON value. */
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface RecordedEvent {
  streamName: string;
  revision: StreamRevision;
  position: Position;
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** Link of the per-stream hash chain (hex SHA-256), see hash-chain.ts. */
  hash: string;
  createdAt: Date;
  /** 2 when the link also covers createdAt (the embedded store's new events); absent: content only. */
  linkVersion?: 2;
}

/** What `audit replay` keeps of a source event so that its link comes out the same. */
export interface RecordedStamp {
  createdAt: Date;
  linkVersion?: 2 | undefined;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /**
   * Replay only: per event, the recorded-at and link version it had in the source. The embedded
   * store keeps them (so the links match the source's); EventStoreDB stamps its own time and links
   * by rule 1, ignoring this.
   */
  recorded?: readonly RecordedStamp[];
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as `expectedRevision` next time. */
  nextExpectedRevision: StreamRevision;
  /** Global position of the last event of this append. */
  position: Position;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Defaults to 'start' forwards and 'end' backwards. */
  fromRevision?: StreamRevision | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

export interface EventFilter {
  /** Keep events whose stream name starts with one of these. */
  streamNamePrefixes?: string[];
  /** Keep events whose type starts with one of these. */
  eventTypePrefixes?: string[];
}

export interface ReadAllOptions {
  /** Inclusive, as in EventStoreDB. Defaults to 'start' forwards and 'end' backwards. */
  fromPosition?: Position | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
  filter?: EventFilter;
}

export interface CountAllOptions {
  /** Inclusive, as for readAll. */
  fromPosition: Position;
  filter?: EventFilter;
  /** Counting stops after this many. */
  limit: number;
}

export interface CountedEvents {
  /** Matching events from `fromPosition`, at most `limit`. */
  count: number;
  /** Whether more than `limit` match. */
  capped: boolean;
  /** When the first matching event happened (its metadata's `occurredAt`, else when it was stored). */
  firstOccurredAt: string | null;
}

export interface SubscribeToAllOptions {
  /**
   * Exclusive, as in EventStoreDB: the subscription delivers events after this position, so a
   * subscriber resumes by passing the position of the last event it processed.
   */
  fromPosition?: Position | 'start' | 'end';
  filter?: EventFilter;
  /** Aborting ends the iteration cleanly. */
  signal?: AbortSignal;
}

/** EventStoreDB's stream metadata, honoured when reading the stream. */
export interface StreamMetadata {
  maxCount?: number;
  /** Seconds. */
  maxAge?: number;
  truncateBefore?: StreamRevision;
  custom?: Record<string, unknown>;
}

export interface ChainVerification {
  stream: string;
  ok: boolean;
  checked: number;
  /** The first event whose stored link does not match its content and predecessor. */
  firstBroken?: { revision: StreamRevision; eventId: string; expected: string; actual: string };
  /**
   * Set (and ok false) when the adapter keeps the stream's head apart from its events and the head
   * is past the last stored event: events at the end of the stream were deleted. Embedded only.
   */
  head?: {
    revision: StreamRevision;
    hash: string;
    lastStored?: { revision: StreamRevision; position: Position; eventId: string };
  };
}

export interface EventStore {
  append(stream: string, events: EventToAppend[], options?: AppendOptions): Promise<AppendResult>;
  /** Throws StreamNotFound for a stream that never existed or was soft-deleted, StreamDeleted if tombstoned. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** How many events readAll forwards would return, up to a limit, without reading them where the store can. */
  countAll(options: CountAllOptions): Promise<CountedEvents>;
  /** Catches up from `fromPosition`, then stays live until the signal aborts. */
  subscribeToAll(options?: SubscribeToAllOptions): AsyncIterable<RecordedEvent>;
  getStreamMetadata(stream: string): Promise<StreamMetadata>;
  setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void>;
  /** Soft delete: reads fail with StreamNotFound; a later append recreates it, revisions continue. */
  deleteStream(stream: string, options?: AppendOptions): Promise<void>;
  /** Hard delete: the stream can never be read or written again. */
  tombstoneStream(stream: string, options?: AppendOptions): Promise<void>;
  /** Recomputes the stream's hash chain from its stored events. */
  verifyStream(stream: string): Promise<ChainVerification>;
  close(): Promise<void>;
}
