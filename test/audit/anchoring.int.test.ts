import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnchoringLoop, anchorRound } from '../../src/audit/anchoring-loop.ts';
import { anchorStreamFor, listAnchors } from '../../src/audit/anchors.ts';
import { verifyAll } from '../../src/audit/verify.ts';
import { appendPayload } from '../../src/eventstore/postgres/append-payload.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { DEFAULT_LIMITS } from '../../src/eventstore/validation.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';

const log = createLogger('silent');
const NOW = new Date('2030-01-01T00:00:00Z');
const HOUR = 3_600_000;

/** The anchoring mechanics: cadence, one writer, crash safety, late commits. */
describe('audit anchoring', () => {
  let connectionString: string;
  let store: PostgresEventStore;
  let raw: pg.Pool;

  beforeAll(async () => {
    connectionString = await freshDatabase('anchoring');
    store = new PostgresEventStore({ connectionString, log, pollIntervalMs: 50 });
    raw = new pg.Pool({ connectionString, max: 3 });
  });
  afterAll(async () => {
    await store?.close();
    await raw?.end();
  });

  const note = (n: number) => ({ id: randomUUID(), type: 'NoteWritten', data: { n }, metadata: {} });
  async function write(count: number, stream = `note-${randomUUID()}`) {
    for (let i = 0; i < count; i++) await store.append(stream, [note(i)]);
    return stream;
  }

  it('anchors every N events, leaves a younger remainder until it is due, and keeps ranges contiguous', async () => {
    await write(7);
    const settings = { everyEvents: 3, everyMs: HOUR };
    // The events were just written: only the full ranges are due.
    const first = await anchorRound(store, settings, { now: new Date() });
    expect(first).toEqual({ written: [0n, expect.any(BigInt)], lostRace: false });

    let anchors = await listAnchors(store);
    expect(anchors.map((a) => a.eventCount)).toEqual([3, 3]);
    expect(anchors[0]?.fromPosition).toBe(0n);
    expect(anchors[1]?.fromPosition).toBe((anchors[0]?.toPosition ?? 0n) + 1n);
    expect(anchors[0]?.stream).toBe(anchorStreamFor(0n));

    // One event left over, written "now": not due for an hour.
    expect((await anchorRound(store, settings, { now: new Date() })).written).toEqual([]);
    const later = new Date(Date.now() + HOUR + 1000);
    expect((await anchorRound(store, settings, { now: later })).written).toHaveLength(1);
    anchors = await listAnchors(store);
    expect(anchors.map((a) => a.eventCount)).toEqual([3, 3, 1]);

    const report = await verifyAll(store);
    expect(report.findings).toEqual([]);
    expect(report.unanchored?.events).toBe(0);
  });

  it('lets exactly one anchor per range through when two processes anchor at once', async () => {
    await write(25);
    const other = new PostgresEventStore({ connectionString, log });
    try {
      const settings = { everyEvents: 4, everyMs: HOUR };
      const rounds = await Promise.all(
        [store, other, store, other].map((s) => anchorRound(s, settings, { now: NOW, force: true })),
      );
      expect(rounds.some((r) => r.written.length > 0)).toBe(true);
      // Whatever the interleaving, one more round finishes the job and the chain has no fork.
      await anchorRound(store, settings, { now: NOW, force: true });
      const anchors = await listAnchors(store);
      const starts = anchors.map((a) => a.fromPosition);
      expect(new Set(starts).size).toBe(starts.length);
      for (const [i, anchor] of anchors.entries()) {
        if (i > 0) expect(anchor.fromPosition).toBe((anchors[i - 1]?.toPosition ?? 0n) + 1n);
      }
      const report = await verifyAll(store);
      expect(report.findings).toEqual([]);
      expect(report.unanchored?.events).toBe(0);
      expect(report.anchors?.events).toBe(report.streams.events);
    } finally {
      await other.close();
    }
  });

  it('never anchors past an append still in flight, and covers its event once it commits', async () => {
    const client = await raw.connect();
    try {
      // Takes its position now and commits later; appends made meanwhile wait for it.
      await client.query('begin');
      const late = `note-${randomUUID()}`;
      await client.query('select * from es_append($1, $2, $3::jsonb)', [
        late,
        'any',
        appendPayload([note(0)], DEFAULT_LIMITS),
      ]);
      const later = write(3);
      const round = await anchorRound(store, { everyEvents: 1000, everyMs: HOUR }, { now: NOW, force: true });
      const { rows } = await client.query<{ position: string }>(
        'select position::text from es_events where stream_name = $1',
        [late],
      );
      const latePosition = BigInt(rows[0]?.position ?? -1);
      const anchors = await listAnchors(store);
      // Nothing at or above the open append's position is anchored yet (the 3 events after it wait too).
      expect(anchors.every((a) => a.toPosition < latePosition)).toBe(true);
      expect(round.written).toEqual([]);

      await client.query('commit');
      await later;
      await anchorRound(store, { everyEvents: 1000, everyMs: HOUR }, { now: NOW, force: true });
      const covering = (await listAnchors(store)).find(
        (a) => a.fromPosition <= latePosition && latePosition <= a.toPosition,
      );
      expect(covering?.eventCount).toBe(4);
      const report = await verifyAll(store);
      expect(report.findings).toEqual([]);
      expect(report.unanchored?.events).toBe(0);
    } finally {
      client.release();
    }
  });

  it('runs as a loop that resumes after the last anchor in the store, as after a crash', async () => {
    const before = (await listAnchors(store)).length;
    const loop = new AnchoringLoop(store, { everyEvents: 2, everyMs: HOUR, pollMs: 20 }, log);
    loop.start();
    await write(4);
    await waitFor(async () => (await listAnchors(store)).length >= before + 2);
    await loop.stop();

    // A "restarted" process with its own connections picks up where the store says the chain ends.
    const restarted = new PostgresEventStore({ connectionString, log });
    try {
      await write(2);
      const again = new AnchoringLoop(restarted, { everyEvents: 2, everyMs: HOUR, pollMs: 20 }, log);
      again.start();
      await waitFor(async () => (await listAnchors(store)).length >= before + 3);
      await again.stop();
    } finally {
      await restarted.close();
    }
    const report = await verifyAll(store);
    expect(report.findings).toEqual([]);
    expect(report.unanchored?.events).toBe(0);
  });

  it('does not take a stream deleted or truncated through the store for tampering', async () => {
    const deleted = await write(3);
    const truncated = await write(4);
    await anchorRound(store, { everyEvents: 1000, everyMs: HOUR }, { now: NOW, force: true });
    await store.deleteStream(deleted);
    await store.setStreamMetadata(truncated, { truncateBefore: 2n, maxCount: 1 });
    const report = await verifyAll(store);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
