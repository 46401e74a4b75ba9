import { describe, expect, it } from 'vitest';
import { linkBatch, matchReplay } from '../../src/eventstore/eventstoredb-chain.ts';
import { chainLink, contentDigest, GENESIS_HASH } from '../../src/eventstore/hash-chain.ts';
import type { EventToAppend, RecordedEvent } from '../../src/eventstore/port.ts';
import { verifyChain } from '../../src/eventstore/verify-chain.ts';

const NOW = new Date('2026-01-02T03:04:05.000Z');
const ids = [
  '0b7d5e3c-1f0a-4c2e-8d6b-3a9f1e2d4c50',
  '1c8e6f4d-2a1b-4d3f-9e7c-4b0a2f3e5d61',
  '2d9f7a5e-3b2c-4e4a-8f8d-5c1b3a4f6e72',
];

function toAppend(count: number): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => ({
    id: ids[i] ?? '',
    type: 'ThingHappened',
    data: { n: i },
    metadata: { actor: 'user:1' },
  }));
}

/** What a read returns after appending `events` from `firstRevision` on top of `previousHash`. */
function recorded(events: EventToAppend[], previousHash = GENESIS_HASH, firstRevision = 0n): RecordedEvent[] {
  const links = linkBatch(previousHash, events);
  return events.map((event, i) => ({
    streamName: 'thing-1',
    revision: firstRevision + BigInt(i),
    position: 100n + BigInt(i),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata ?? {},
    hash: links[i] ?? '',
    createdAt: NOW,
  }));
}

describe('linking a batch', () => {
  it('chains each event to the one before, starting from the given tip', () => {
    const [a, b] = toAppend(2);
    const links = linkBatch(GENESIS_HASH, toAppend(2));
    const first = chainLink(
      GENESIS_HASH,
      contentDigest({ type: a?.type ?? '', data: a?.data, metadata: a?.metadata ?? {} }),
    );
    expect(links[0]).toBe(first);
    expect(links[1]).toBe(
      chainLink(first, contentDigest({ type: b?.type ?? '', data: b?.data, metadata: b?.metadata ?? {} })),
    );
  });

  it('treats absent metadata as an empty object, as it is read back', () => {
    const [withEmpty] = linkBatch(GENESIS_HASH, [{ id: ids[0] ?? '', type: 'T', data: {}, metadata: {} }]);
    const [withoutAny] = linkBatch(GENESIS_HASH, [{ id: ids[0] ?? '', type: 'T', data: {} }]);
    expect(withoutAny).toBe(withEmpty);
  });
});

describe('verifying a stream', () => {
  it('accepts an untouched stream and counts every event', () => {
    expect(verifyChain('thing-1', recorded(toAppend(3)))).toEqual({
      stream: 'thing-1',
      ok: true,
      checked: 3,
    });
  });

  it('accepts an empty stream', () => {
    expect(verifyChain('thing-1', [])).toEqual({ stream: 'thing-1', ok: true, checked: 0 });
  });

  it('reports exactly the event whose content was edited', () => {
    const events = recorded(toAppend(3));
    const edited = events.map((event, i) => (i === 1 ? { ...event, data: { n: 999 } } : event));
    const result = verifyChain('thing-1', edited);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ revision: 1n, eventId: ids[1], actual: events[1]?.hash });
    expect(result.firstBroken?.expected).not.toBe(events[1]?.hash);
  });

  it('reports an edited metadata value too', () => {
    const events = recorded(toAppend(2));
    const edited = events.map((event, i) => (i === 0 ? { ...event, metadata: { actor: 'user:2' } } : event));
    expect(verifyChain('thing-1', edited).firstBroken?.revision).toBe(0n);
  });

  it('anchors on the first visible event when earlier revisions are truncated', () => {
    const all = recorded(toAppend(3));
    expect(verifyChain('thing-1', all.slice(1))).toEqual({ stream: 'thing-1', ok: true, checked: 2 });
  });

  it('still checks every link after the anchor', () => {
    const visible = recorded(toAppend(3)).slice(1);
    const edited = visible.map((event, i) => (i === 1 ? { ...event, type: 'Forged' } : event));
    expect(verifyChain('thing-1', edited).firstBroken?.revision).toBe(2n);
  });

  it('accepts a stream recreated after a soft delete, whose chain restarted at genesis', () => {
    expect(verifyChain('thing-1', recorded(toAppend(2), GENESIS_HASH, 5n)).ok).toBe(true);
  });
});

describe('recognising a repeated append', () => {
  const tailOf = (count: number) => recorded(toAppend(3)).slice(3 - count);

  it('sees a repeat when the batch is exactly the end of the stream, ids compared case-insensitively', () => {
    const batch = toAppend(3)
      .slice(1)
      .map((event) => ({ id: event.id.toUpperCase() }));
    expect(matchReplay(tailOf(2), batch)).toBe('all');
  });

  it('sees a new batch when none of its ids are at the end', () => {
    expect(matchReplay(tailOf(1), [{ id: '9f9f9f9f-0000-4000-8000-000000000000' }])).toBe('none');
    expect(matchReplay([], [{ id: ids[0] ?? '' }])).toBe('none');
  });

  it('sees a partial repeat when some ids were written but not as this batch', () => {
    const batch = [{ id: ids[2] ?? '' }, { id: '9f9f9f9f-0000-4000-8000-000000000000' }];
    expect(matchReplay(tailOf(2), batch)).toBe('partial');
  });

  it('does not take the right ids in the wrong order for a repeat', () => {
    expect(matchReplay(tailOf(2), [{ id: ids[2] ?? '' }, { id: ids[1] ?? '' }])).toBe('partial');
  });
});
