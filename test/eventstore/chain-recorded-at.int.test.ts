import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyMismatch } from '../../src/eventstore/errors.ts';
import { chainLink, contentDigest, GENESIS_HASH, linkOf } from '../../src/eventstore/hash-chain.ts';
import type { EventToAppend } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';

const event = (n: number): EventToAppend => ({ id: randomUUID(), type: 'Counted', data: { n } });

/** The embedded store's links cover recorded-at (rule 2) and still read round 1's (rule 1). */
describe('hash chain over recorded-at', () => {
  let store: PostgresEventStore;
  let raw: pg.Pool;

  beforeAll(async () => {
    const connectionString = await freshDatabase('chain_time');
    store = new PostgresEventStore({ connectionString, log: createLogger('warn') });
    raw = new pg.Pool({ connectionString, max: 2 });
  });
  afterAll(async () => {
    await store.close();
    await raw.end();
  });

  it('links new events by rule 2: the link SQL computed is the one hash-chain.ts computes from what a reader gets', async () => {
    const stream = `timed-${randomUUID()}`;
    await store.append(stream, [event(0), event(1)]);
    const [first, second] = await store.readStream(stream);
    if (!first || !second) throw new Error('not written');
    expect(first.linkVersion).toBe(2);
    // Stored in whole milliseconds: exactly what a JavaScript Date reads back.
    const { rows } = await raw.query<{ whole: boolean }>(
      `select bool_and(created_at = date_trunc('milliseconds', created_at)) as whole from es_events
        where stream_name = $1`,
      [stream],
    );
    expect(rows[0]?.whole).toBe(true);
    expect(first.hash).toBe(linkOf(GENESIS_HASH, first));
    expect(second.hash).toBe(linkOf(first.hash, second));
    expect(first.hash).not.toBe(chainLink(GENESIS_HASH, contentDigest(first)));
    expect((await store.verifyStream(stream)).ok).toBe(true);
  });

  it('never lets recorded-at go backwards along $all, even when the clock reads earlier than the last event', async () => {
    const before = `clock-${randomUUID()}`;
    await store.append(before, [event(0)]);
    // The newest event says it was recorded an hour from now (another process's clock ahead).
    await raw.query(
      `update es_events set created_at = date_trunc('milliseconds', now() + interval '1 hour')
        where position = (select max(position) from es_events)`,
    );
    const [ahead] = await store.readStream(before);
    const after = `clock-${randomUUID()}`;
    await store.append(after, [event(1)]);
    const [next] = await store.readStream(after);
    expect(next?.createdAt.getTime()).toBe(ahead?.createdAt.getTime());
    expect((await store.verifyStream(after)).ok).toBe(true);
  });

  it('keeps verifying, and recognising replays of, a stream that began under rule 1 (a round-1 store)', async () => {
    const stream = `legacy-${randomUUID()}`;
    const old = [event(0), event(1)];
    await store.append(stream, old);
    // What round 1 stored: rule-1 links.
    const stored = await store.readStream(stream);
    let previous = GENESIS_HASH;
    for (const e of stored) {
      previous = chainLink(previous, contentDigest(e));
      await raw.query(
        'update es_events set hash = $3, link_version = 1 where stream_name = $1 and revision = $2',
        [stream, e.revision.toString(), Buffer.from(previous, 'hex')],
      );
    }
    await raw.query('update es_streams set last_hash = $2 where stream_name = $1', [
      stream,
      Buffer.from(previous, 'hex'),
    ]);

    await store.append(stream, [event(2)]);
    const events = await store.readStream(stream);
    expect(events.map((e) => e.linkVersion)).toEqual([undefined, undefined, 2]);
    expect((await store.verifyStream(stream)).ok).toBe(true);

    // A retried append of the rule-1 events is recognised; the same ids with other content are not.
    const again = await store.append(stream, old, { expectedRevision: 'any' });
    expect(again.nextExpectedRevision).toBe(1n);
    const changed = old.map((e, i) => (i === 1 ? { ...e, data: { n: 99 } } : e));
    await expect(store.append(stream, changed, { expectedRevision: 'any' })).rejects.toBeInstanceOf(
      IdempotencyMismatch,
    );
  });

  it('keeps the recorded-at and link rule a replay gives, so the links come out as the source’s', async () => {
    const source = `source-${randomUUID()}`;
    await store.append(source, [event(0), event(1)]);
    const original = await store.readStream(source);
    const copy = `copy-${randomUUID()}`;
    const recorded = original.map((e) => ({
      createdAt: new Date(e.createdAt.getTime() - 86_400_000),
      linkVersion: 2 as const,
    }));
    await store.append(
      copy,
      original.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: e.metadata })),
      { expectedRevision: 'no_stream', recorded },
    );
    const copied = await store.readStream(copy);
    expect(copied.map((e) => e.createdAt)).toEqual(recorded.map((r) => r.createdAt));
    const [first] = original;
    const [stamp] = recorded;
    if (!first || !stamp) throw new Error('not written');
    expect(copied[0]?.hash).toBe(linkOf(GENESIS_HASH, { ...first, createdAt: stamp.createdAt }));
    expect((await store.verifyStream(copy)).ok).toBe(true);
  });
});
