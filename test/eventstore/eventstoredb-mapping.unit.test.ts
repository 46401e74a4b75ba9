import {
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  InvalidEvent,
  StreamDeleted,
  StreamNotFound,
  WrongExpectedVersion,
} from '../../src/eventstore/errors.ts';
import {
  assertNoReservedMetadata,
  type EsdbRecord,
  expectedRevisionLabel,
  fromEsdbStreamMetadata,
  HASH_METADATA_KEY,
  isSystemEvent,
  mapEsdbError,
  matchesFilter,
  parseExpectedRevision,
  splitMetadata,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toEsdbStreamMetadata,
  toRecordedEvent,
  toSubscriptionFilter,
} from '../../src/eventstore/eventstoredb-mapping.ts';

const ID = '6f1c5c9e-3a57-4d6b-9a0e-2f1d8c7b6a51';
const HASH = 'ab'.repeat(32);
const NOW = new Date('2026-01-02T03:04:05.000Z');

function record(overrides: Partial<EsdbRecord> = {}): EsdbRecord {
  return {
    streamId: 'order-1',
    id: ID,
    revision: 3n,
    type: 'OrderPlaced',
    created: NOW,
    isJson: true,
    data: { total: 42 },
    metadata: { actor: 'user:1', [HASH_METADATA_KEY]: HASH },
    position: { commit: 1234n, prepare: 1234n },
    ...overrides,
  };
}

describe('expected revisions', () => {
  it('accepts the three constants and revisions >= 0, defaulting to any', () => {
    expect(parseExpectedRevision(undefined)).toBe('any');
    expect(parseExpectedRevision('any')).toBe('any');
    expect(parseExpectedRevision('no_stream')).toBe('no_stream');
    expect(parseExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(parseExpectedRevision(0n)).toBe(0n);
    expect(parseExpectedRevision(17n)).toBe(17n);
  });

  it.each([-1n, 3, 'latest', null])('rejects %s as bad input', (value) => {
    expect(() => parseExpectedRevision(value)).toThrow(InvalidEvent);
  });

  it('maps to the client constants, which share the port spelling', () => {
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision(5n)).toBe(5n);
  });

  it('labels revisions as decimal strings', () => {
    expect(expectedRevisionLabel(12n)).toBe('12');
    expect(expectedRevisionLabel('no_stream')).toBe('no_stream');
  });
});

describe('positions', () => {
  it('addresses an event by its commit position as both commit and prepare', () => {
    expect(toEsdbPosition(987n)).toEqual({ commit: 987n, prepare: 987n });
  });
});

describe('events to append', () => {
  it('sends objects as JSON events with the chain link added to a copy of the metadata', () => {
    const metadata = { actor: 'user:1' };
    const event = toEsdbEvent({ id: ID, type: 'OrderPlaced', data: { total: 42 }, metadata }, HASH);
    expect(event).toEqual({
      id: ID,
      contentType: 'application/json',
      type: 'OrderPlaced',
      data: { total: 42 },
      metadata: { actor: 'user:1', [HASH_METADATA_KEY]: HASH },
    });
    expect(metadata).toEqual({ actor: 'user:1' });
  });

  it('sends arrays and strings as JSON events too', () => {
    expect(toEsdbEvent({ id: ID, type: 'T', data: [1, 2] }, HASH).contentType).toBe('application/json');
    expect(toEsdbEvent({ id: ID, type: 'T', data: 'text' }, HASH).contentType).toBe('application/json');
  });

  it.each([42, true, null])('sends the scalar %s as JSON bytes, since JSON events need an object', (data) => {
    const event = toEsdbEvent({ id: ID, type: 'T', data }, HASH);
    expect(event.contentType).toBe('application/octet-stream');
    expect(new TextDecoder().decode(event.data instanceof Uint8Array ? event.data : undefined)).toBe(
      JSON.stringify(data),
    );
    expect(event.metadata).toEqual({ [HASH_METADATA_KEY]: HASH });
  });

  it('rejects metadata that sets the reserved hash key, naming the event', () => {
    const events = [
      { id: ID, type: 'A', data: {} },
      { id: ID, type: 'B', data: {}, metadata: { [HASH_METADATA_KEY]: 'forged' } },
    ];
    expect(() => assertNoReservedMetadata(events)).toThrow(
      expect.objectContaining({ code: 'INVALID_EVENT', index: 1 }),
    );
    expect(() =>
      assertNoReservedMetadata([{ id: ID, type: 'A', data: {}, metadata: { a: 1 } }]),
    ).not.toThrow();
  });
});

describe('recorded events', () => {
  it('lifts the chain link out of the metadata and carries every field over', () => {
    expect(toRecordedEvent(record())).toEqual({
      streamName: 'order-1',
      revision: 3n,
      position: 1234n,
      id: ID,
      type: 'OrderPlaced',
      data: { total: 42 },
      metadata: { actor: 'user:1' },
      hash: HASH,
      createdAt: NOW,
    });
  });

  it('parses scalar data that was stored as JSON bytes', () => {
    const event = toRecordedEvent(record({ isJson: false, data: new TextEncoder().encode('42') }));
    expect(event.data).toBe(42);
  });

  it('passes bytes that are not JSON through unchanged', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x01]);
    expect(toRecordedEvent(record({ isJson: false, data: bytes })).data).toBe(bytes);
  });

  it('reports an empty link and metadata for events written without them', () => {
    expect(splitMetadata(undefined)).toEqual({ metadata: {}, hash: '' });
    expect(splitMetadata(['not', 'an', 'object'])).toEqual({ metadata: {}, hash: '' });
    expect(splitMetadata({ actor: 'system:x' })).toEqual({ metadata: { actor: 'system:x' }, hash: '' });
    expect(splitMetadata({ [HASH_METADATA_KEY]: 7 })).toEqual({ metadata: {}, hash: '' });
  });

  it('refuses an event without a position (servers before 22.10)', () => {
    expect(() => toRecordedEvent(record({ position: undefined }))).toThrow(/22\.10/);
  });
});

describe('filters', () => {
  it('treats $ streams and $ event types as system events', () => {
    expect(isSystemEvent({ streamName: '$$order-1', type: '$metadata' })).toBe(true);
    expect(isSystemEvent({ streamName: '$ce-order', type: '$>' })).toBe(true);
    expect(isSystemEvent({ streamName: 'order-1', type: '$streamDeleted' })).toBe(true);
    expect(isSystemEvent({ streamName: '$projections-x', type: 'Custom' })).toBe(true);
    expect(isSystemEvent({ streamName: 'order-1', type: 'OrderPlaced' })).toBe(false);
  });

  it('never lets a system event through, even with a matching prefix', () => {
    expect(matchesFilter({ streamName: '$ce-order', type: 'X' }, { streamNamePrefixes: ['$'] })).toBe(false);
    expect(
      matchesFilter({ streamName: 'order-1', type: '$streamDeleted' }, { eventTypePrefixes: ['$'] }),
    ).toBe(false);
  });

  it('keeps events matching any stream prefix and any type prefix', () => {
    const filter = { streamNamePrefixes: ['order-', 'cart-'], eventTypePrefixes: ['Order'] };
    expect(matchesFilter({ streamName: 'cart-9', type: 'OrderPlaced' }, filter)).toBe(true);
    expect(matchesFilter({ streamName: 'user-9', type: 'OrderPlaced' }, filter)).toBe(false);
    expect(matchesFilter({ streamName: 'order-9', type: 'CartEmptied' }, filter)).toBe(false);
  });

  it('treats a missing or empty prefix list as no constraint', () => {
    expect(matchesFilter({ streamName: 'order-1', type: 'A' })).toBe(true);
    expect(matchesFilter({ streamName: 'order-1', type: 'A' }, { streamNamePrefixes: [] })).toBe(true);
  });

  it('asks the server to drop $ event types when there are no prefixes', () => {
    expect(toSubscriptionFilter()).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    expect(toSubscriptionFilter({ eventTypePrefixes: [] })).toMatchObject({
      filterOn: 'eventType',
      regex: '^[^$].*',
    });
  });

  it('sends stream-name prefixes to the server, or else event-type prefixes', () => {
    expect(toSubscriptionFilter({ streamNamePrefixes: ['order-'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['order-'],
    });
    expect(toSubscriptionFilter({ eventTypePrefixes: ['Order'] })).toMatchObject({
      filterOn: 'eventType',
      prefixes: ['Order'],
    });
    expect(
      toSubscriptionFilter({ streamNamePrefixes: ['order-'], eventTypePrefixes: ['Order'] }),
    ).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['order-'],
    });
  });
});

describe('stream metadata', () => {
  it('maps the port fields and spreads custom keys at the top level, as EventStoreDB expects', () => {
    expect(
      toEsdbStreamMetadata({ maxCount: 10, maxAge: 3600, truncateBefore: 4n, custom: { tenant: 't-1' } }),
    ).toEqual({ maxCount: 10, maxAge: 3600, truncateBefore: 4, tenant: 't-1' });
    expect(toEsdbStreamMetadata({})).toEqual({});
  });

  it.each([
    [{ maxCount: 0 }],
    [{ maxAge: 1.5 }],
    [{ truncateBefore: -1n }],
    [{ truncateBefore: 2n ** 60n }],
    [{ custom: { maxCount: 3 } }],
    [{ custom: { $acl: {} } }],
  ])('rejects %o', (metadata) => {
    expect(() => toEsdbStreamMetadata(metadata)).toThrow(InvalidEvent);
  });

  it('reads back what the client returns, truncateBefore as a revision', () => {
    expect(fromEsdbStreamMetadata({ maxCount: 10, maxAge: 3600, truncateBefore: 4, tenant: 't-1' })).toEqual({
      maxCount: 10,
      maxAge: 3600,
      truncateBefore: 4n,
      custom: { tenant: 't-1' },
    });
    expect(fromEsdbStreamMetadata(undefined)).toEqual({});
  });

  it('leaves out the soft-delete marker and the settings the port does not expose', () => {
    expect(
      fromEsdbStreamMetadata({
        // What JSON.parse makes of the Int64.MaxValue a soft delete writes.
        truncateBefore: JSON.parse('9223372036854775807'),
        cacheControl: 5,
        acl: { readRoles: [] },
      }),
    ).toEqual({});
  });
});

describe('errors', () => {
  it('maps a wrong expected version with the actual revision and the caller expectation', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'order-1',
      expected: 4n,
      current: 6n,
    });
    const mapped = mapEsdbError(error, { stream: 'order-1', expected: 'any' });
    expect(mapped).toBeInstanceOf(WrongExpectedVersion);
    expect(mapped).toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      stream: 'order-1',
      expected: 'any',
      actual: 6n,
    });
  });

  it('falls back to the server-reported expectation and reports a missing stream as no_stream', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'order-2',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(mapEsdbError(error)).toMatchObject({
      stream: 'order-2',
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  it('maps a missing stream and a tombstoned one', () => {
    expect(mapEsdbError(new StreamNotFoundError(undefined, 'order-3'))).toEqual(
      new StreamNotFound('order-3'),
    );
    expect(mapEsdbError(StreamDeletedError.fromStreamName('order-4'))).toBeInstanceOf(StreamDeleted);
    expect(mapEsdbError(StreamDeletedError.fromStreamName('order-4'), { stream: 'order-4' })).toMatchObject({
      code: 'STREAM_DELETED',
      stream: 'order-4',
    });
  });

  it('maps an append over the server size limit to bad input', () => {
    const mapped = mapEsdbError(MaxAppendSizeExceededError.fromMaxAppendSize(1024));
    expect(mapped).toBeInstanceOf(InvalidEvent);
    expect(mapped).toMatchObject({ message: expect.stringContaining('1024') });
  });

  it('leaves errors the port has no type for untouched', () => {
    const unavailable = new UnavailableError();
    const plain = new Error('boom');
    expect(mapEsdbError(unavailable)).toBe(unavailable);
    expect(mapEsdbError(plain)).toBe(plain);
  });
});
