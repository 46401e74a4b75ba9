import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AnchoringLoop, anchorRound } from '../../src/audit/anchoring-loop.ts';
import { ANCHOR_STREAM_PREFIX, listAnchors } from '../../src/audit/anchors.ts';
import {
  type Finding,
  type VerificationReport,
  verifyAll,
  verifyStreamChain,
} from '../../src/audit/verify.ts';
import { SigningKeyRing } from '../../src/auth/signing-key-ring.ts';
import { createEventCodec } from '../../src/commands/event-codec.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { PostgresPersonalDataKeys } from '../../src/privacy/postgres-personal-data-keys.ts';
import { updateProfile } from '../../src/services/identity/account.ts';
import { forgetUser } from '../../src/services/identity/erasure.ts';
import { register } from '../../src/services/identity/registration.ts';
import { signIn } from '../../src/services/identity/sign-in.ts';
import { runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';
import { relinkStream } from '../support/relink-stream.ts';

const log = createLogger('silent');
const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery staple';
const SECRET = 'test-secret-that-is-at-least-32-characters-long';

interface StoredEvent {
  position: bigint;
  stream: string;
  revision: bigint;
  eventId: string;
}

/**
 * The history comes from real commands (registrations, sign-ins, a profile edit, an erasure)
 * with the anchoring loop running; each case then tampers with a copy of that database directly
 * in PostgreSQL, as someone with database access would, and `verify` must name what broke.
 */
describe('audit verify against tampering', () => {
  let historyUrl: string;
  let erasedEmail: string;
  const opened: { store: PostgresEventStore; raw: pg.Pool }[] = [];

  beforeAll(async () => {
    historyUrl = await freshDatabase('audit_history');
    // The identity use cases the GraphQL resolvers call, without the API: the history is what
    // real commands write (reservations, registrations, sign-ins, a profile edit, an erasure).
    const pool = new pg.Pool({ connectionString: historyUrl, max: 3 });
    const store = new PostgresEventStore({ connectionString: historyUrl, log });
    const keys = new PostgresPersonalDataKeys(pool);
    const deps = {
      store,
      keys,
      codec: createEventCodec(keys),
      log,
      authSecret: new TextEncoder().encode(SECRET),
      accessTokens: new SigningKeyRing({ pool, authSecret: new TextEncoder().encode(SECRET), log }),
    };
    const anonymous = () => ({ actor: { kind: 'anonymous' as const }, correlationId: randomUUID() });
    const loop = new AnchoringLoop(store, { everyEvents: 4, everyMs: HOUR, pollMs: 20 }, log);
    loop.start();
    try {
      const userIds: string[] = [];
      for (let i = 0; i < 4; i++) {
        const email = `auditee-${randomUUID()}@example.org`;
        const { userId } = await register(deps, anonymous(), {
          email,
          password: PASSWORD,
          displayName: `Auditee ${i}`,
        });
        await signIn(deps, anonymous(), { email, password: PASSWORD });
        userIds.push(userId);
        if (i === 2) erasedEmail = email;
      }
      const as = (userId: string | undefined) => ({
        actor: { kind: 'user' as const, userId: userId ?? '', role: 'user' as const },
        correlationId: randomUUID(),
      });
      await updateProfile(deps, as(userIds[1]), { bio: 'Keeps records' });
      await forgetUser(deps, as(userIds[2]), {});
    } finally {
      await loop.stop();
    }
    // The tail the loop left (fewer than 4 events) is anchored as an operator's `audit anchor` would.
    await anchorRound(store, { everyEvents: 4, everyMs: HOUR }, { now: new Date(), force: true });
    await store.close();
    await pool.end();
  }, 120_000);

  afterAll(async () => {
    for (const { store, raw } of opened) {
      await store.close();
      await raw.end();
    }
  });

  /** A copy of the history in a database of its own, so every case starts from the same events. */
  async function copyOfHistory() {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    const name = `tamper_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await admin.connect();
    try {
      const source = new URL(historyUrl).pathname.slice(1);
      await admin.query(
        `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(source)}`,
      );
    } finally {
      await admin.end();
    }
    const url = new URL(historyUrl);
    url.pathname = `/${name}`;
    const connectionString = url.toString();
    const store = new PostgresEventStore({ connectionString, log });
    const raw = new pg.Pool({ connectionString, max: 2 });
    opened.push({ store, raw });
    const { rows } = await raw.query<{
      position: string;
      stream_name: string;
      revision: string;
      event_id: string;
    }>(
      // Ordered by the bigint column: a bare `order by position` would sort by the text output
      // column of that name ('10' before '7'), and the cases below need history order.
      `select e.position::text as position, e.stream_name, e.revision::text as revision, e.event_id
         from es_events e
        where e.stream_name not like '${ANCHOR_STREAM_PREFIX}%' order by e.position`,
    );
    const events: StoredEvent[] = rows.map((r) => ({
      position: BigInt(r.position),
      stream: r.stream_name,
      revision: BigInt(r.revision),
      eventId: r.event_id,
    }));
    return { connectionString, store, raw, events };
  }

  /**
   * The stream with the most events (a user's: registered and e-mail verification requested in
   * one append, signed in, then a profile edit or an erasure), in revision order, which must also
   * be position order: the cases take its first events by index as "earlier" and "next".
   */
  function longestStream(events: StoredEvent[]): StoredEvent[] {
    const byStream = new Map<string, StoredEvent[]>();
    for (const event of events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
    const [longest] = [...byStream.values()].sort((a, b) => b.length - a.length);
    if (!longest || longest.length < 3) throw new Error('expected a stream of at least three events');
    longest.forEach((event, index) => {
      const before = longest[index - 1];
      if (event.revision !== BigInt(index) || (before && before.position >= event.position)) {
        throw new Error(`stream ${event.stream} is not read in history order: ${index} is ${event.revision}`);
      }
    });
    return longest;
  }

  function codes(report: VerificationReport): string[] {
    return report.findings.map((f) => f.code);
  }

  function first(report: VerificationReport): Finding {
    const [finding] = report.findings;
    if (!finding) throw new Error('verify found nothing');
    return finding;
  }

  it('verifies the untouched history: chains, anchors, erasure included (exit 0 from the CLI)', async () => {
    const { store, connectionString, events } = await copyOfHistory();
    const report = await verifyAll(store);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.anchors?.count).toBeGreaterThan(3);
    expect(report.anchors?.events).toBe(events.length);
    expect(report.unanchored?.events).toBe(0);

    const cli = await runCli(
      ['audit', 'verify', '--all'],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('INTACT');
    expect(cli.stdout).toMatch(
      new RegExp(`${(report.anchors?.count ?? 0).toString()} over positions 0\\.\\.`),
    );
    expect(cli.stdout).not.toContain(erasedEmail);

    const stream = longestStream(events)[0]?.stream ?? '';
    const one = await verifyStreamChain(store, stream);
    expect(one.ok).toBe(true);
    expect(one.streams.events).toBeGreaterThanOrEqual(3);
  });

  it("reports an edited event's data as a broken chain at that event (exit 1 naming it)", async () => {
    const { store, raw, events, connectionString } = await copyOfHistory();
    const target = longestStream(events)[1];
    if (!target) throw new Error('no target');
    await raw.query(`update es_events set data = data || '{"tampered": true}'::jsonb where position = $1`, [
      target.position.toString(),
    ]);

    const report = await verifyAll(store);
    // The anchors commit to the chain links, which the edit left alone: the chain names the event.
    expect(first(report)).toMatchObject({ code: 'CHAIN_BROKEN', event: target });
    expect(codes(report)).toEqual(['CHAIN_BROKEN']);

    const cli = await runCli(
      ['audit', 'verify'],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      `First broken: stream ${target.stream} revision ${target.revision}, position ${target.position}, event id ${target.eventId} (CHAIN_BROKEN)`,
    );
    const single = await runCli(
      ['audit', 'verify', '--stream', target.stream],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(single.code).toBe(1);
    expect(single.stdout).toContain(`revision ${target.revision}, position ${target.position}`);
  });

  it('reports an edited recorded-at (created_at), even by a microsecond, as a broken chain at that event', async () => {
    const { store, raw, events } = await copyOfHistory();
    const [, target] = longestStream(events);
    const other = events.find((e) => e.stream !== target?.stream && e.position > (target?.position ?? 0n));
    if (!target || !other) throw new Error('no target');
    await raw.query(`update es_events set created_at = created_at - interval '1 day' where position = $1`, [
      target.position.toString(),
    ]);
    await raw.query(
      `update es_events set created_at = created_at + interval '1 microsecond' where position = $1`,
      [other.position.toString()],
    );
    const report = await verifyAll(store);
    expect(report.findings.map((f) => [f.code, f.event?.eventId])).toEqual([
      ['CHAIN_BROKEN', target.eventId],
      ['CHAIN_BROKEN', other.eventId],
    ]);
  });

  it('reports a deleted event: the next link breaks, and its anchor counts one event less', async () => {
    const { store, raw, events } = await copyOfHistory();
    const [, deleted, next] = longestStream(events);
    if (!deleted || !next) throw new Error('no target');
    await raw.query('delete from es_events where position = $1', [deleted.position.toString()]);

    const report = await verifyAll(store);
    expect(new Set(codes(report))).toEqual(new Set(['CHAIN_BROKEN', 'ANCHOR_COUNT_MISMATCH']));
    expect(report.findings.find((f) => f.code === 'CHAIN_BROKEN')?.event).toEqual(next);
    const count = report.findings.find((f) => f.code === 'ANCHOR_COUNT_MISMATCH');
    expect(count?.message).toMatch(/recorded \d+ events, \d+ are stored now: events were deleted/);
    expect(count?.anchor?.fromPosition).toBeLessThanOrEqual(deleted.position);
    expect(count?.anchor?.toPosition).toBeGreaterThanOrEqual(deleted.position);
  });

  it('catches a deletion whose attacker re-linked and renumbered the stream: only the anchor can', async () => {
    const { store, raw, events } = await copyOfHistory();
    const stream = longestStream(events);
    const deleted = stream[1];
    if (!deleted) throw new Error('no target');
    await deleteAndRechain(raw, deleted);

    const chainOnly = await verifyStreamChain(store, deleted.stream);
    expect(chainOnly.ok).toBe(true);
    const report = await verifyAll(store);
    // The anchor over the deleted event counts one less; the re-hashed later events of the stream
    // no longer match the roots of the anchors over them either. No chain complains.
    expect(first(report).code).toBe('ANCHOR_COUNT_MISMATCH');
    expect(
      codes(report).every((code) => code === 'ANCHOR_COUNT_MISMATCH' || code === 'ANCHOR_ROOT_MISMATCH'),
    ).toBe(true);
    const anchor = first(report).anchor;
    expect(anchor?.fromPosition).toBeLessThanOrEqual(deleted.position);
    expect(anchor?.toPosition).toBeGreaterThanOrEqual(deleted.position);
  });

  it('reports two events of one stream swapped in position order, naming the event', async () => {
    const { store, raw, events } = await copyOfHistory();
    const [a, b] = longestStream(events);
    if (!a || !b) throw new Error('no target');
    await swapPositions(raw, a.position, b.position);

    const report = await verifyAll(store);
    expect(first(report)).toMatchObject({ code: 'OUT_OF_ORDER', event: { ...a, position: b.position } });
    expect(codes(report)).toContain('ANCHOR_ROOT_MISMATCH');
  });

  it('reports two events of different streams swapped, which only the Merkle root notices', async () => {
    const { store, raw, events } = await copyOfHistory();
    const anchors = await listAnchors(store);
    const inRange = events.filter(
      (e) => anchors[1] && anchors[1].fromPosition <= e.position && e.position <= anchors[1].toPosition,
    );
    const a = inRange[0];
    const b = inRange.find((e) => e.stream !== a?.stream);
    if (!a || !b) throw new Error('no two streams in one anchor');
    await swapPositions(raw, a.position, b.position);

    const report = await verifyAll(store);
    expect(codes(report)).toEqual(['ANCHOR_ROOT_MISMATCH']);
    expect(first(report).anchor?.stream).toBe(anchors[1]?.stream);
  });

  it('reports a stream truncated in the tables (its last events deleted, es_streams fixed up)', async () => {
    const { store, raw, events } = await copyOfHistory();
    const stream = longestStream(events);
    const keep = stream[0];
    const cut = stream.slice(1);
    if (!keep) throw new Error('no target');
    await raw.query('delete from es_events where stream_name = $1 and revision > $2', [keep.stream, '0']);
    await raw.query(
      `update es_streams set revision = 0, last_hash = (select hash from es_events where position = $2)
        where stream_name = $1`,
      [keep.stream, keep.position.toString()],
    );

    expect((await verifyStreamChain(store, keep.stream)).ok).toBe(true);
    const report = await verifyAll(store);
    expect(report.ok).toBe(false);
    expect(new Set(codes(report))).toEqual(new Set(['ANCHOR_COUNT_MISMATCH']));
    const firstCut = cut[0];
    expect(first(report).anchor?.toPosition).toBeGreaterThanOrEqual(firstCut?.position ?? 0n);
  });

  it('reports a deleted anchor as a gap, naming the anchor stream that should be there', async () => {
    const { store, raw, connectionString } = await copyOfHistory();
    const anchors = await listAnchors(store);
    const victim = anchors[1];
    if (!victim) throw new Error('no anchor');
    await raw.query('delete from es_events where stream_name = $1', [victim.stream]);
    await raw.query('delete from es_streams where stream_name = $1', [victim.stream]);

    const report = await verifyAll(store);
    expect(codes(report)).toEqual(['ANCHOR_MISSING']);
    expect(first(report).anchor).toEqual({
      stream: victim.stream,
      fromPosition: victim.fromPosition,
      toPosition: victim.toPosition,
    });
    const cli = await runCli(
      ['audit', 'verify', '--all'],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      `First broken: anchor ${victim.stream} covering positions ${victim.fromPosition}..${victim.toPosition} (ANCHOR_MISSING)`,
    );
  });
});

/** What an attacker with database access does to hide a deletion from the stream's hash chain. */
async function deleteAndRechain(raw: pg.Pool, deleted: StoredEvent): Promise<void> {
  const client = await raw.connect();
  try {
    await client.query('begin');
    await client.query('delete from es_events where position = $1', [deleted.position.toString()]);
    await relinkStream(client, deleted.stream);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function swapPositions(raw: pg.Pool, a: bigint, b: bigint): Promise<void> {
  const client = await raw.connect();
  try {
    await client.query('begin');
    await client.query('update es_events set position = -1 where position = $1', [a.toString()]);
    await client.query('update es_events set position = $1 where position = $2', [
      a.toString(),
      b.toString(),
    ]);
    await client.query('update es_events set position = $1 where position = -1', [b.toString()]);
    await client.query('commit');
  } finally {
    client.release();
  }
}
