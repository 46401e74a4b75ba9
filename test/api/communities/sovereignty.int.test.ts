import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIntegratorEvent } from '../../../src/api/events/integrator-events.ts';
import {
  type ExportedEvent,
  type KeyFile,
  keyFilePathFor,
  manifestPathFor,
} from '../../../src/audit/export-format.ts';
import { embeddedReplayMarker, replayExport, wipeEmbeddedTarget } from '../../../src/audit/replay.ts';
import { verifyAll } from '../../../src/audit/verify.ts';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import {
  checkpointAttemptsStream,
  checkpointStream,
  communityMemberSubject,
  communityPostStream,
  communityStream,
  communitySubject,
  learningModuleStream,
} from '../../../src/domain/communities/streams.ts';
import { PostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../../src/logger.ts';
import { isEncryptedField } from '../../../src/privacy/field-encryption.ts';
import { PostgresPersonalDataKeys } from '../../../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../../../src/projections/change-bus.ts';
import type { Projection } from '../../../src/projections/projection.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { createProjections } from '../../../src/projections/registry.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { COMMUNITY_READ_MODELS } from '../../../src/services/communities/deps.ts';
import { destroyCommunityTextOf } from '../../../src/services/communities/erasure.ts';
import { runCli } from '../../support/cli.ts';
import { freshDatabase } from '../../support/database.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { type CommunityScene, communityScene, ERASE_COMMUNITY } from './sovereignty-support.ts';

/**
 * Data sovereignty, end to end (issue 21's proof): two communities with members, threads, a path,
 * an approved checkpoint and attempts; one is exported (its events only, each stream whole, chains
 * as stored, replayable elsewhere), then erased by its owner. The other is untouched; the erased
 * one's texts are unreadable everywhere (read models, stored events, audit queries, a rebuild), and
 * the audit chain still verifies. A person in both keeps their words in the other.
 */

const log = createLogger('silent');
const THREAD = `query ($id: ID!) { communityThread(id: $id) { id title body } }`;
const HISTORY = `query ($s: String!) { history(stream: $s, first: 100) { nodes { type data } } }`;

interface Receipt {
  communityId: string;
  erasedBy: string;
  reason: string;
  erasedAt: string;
  position: string;
  people: number;
  keysDestroyedNow: number;
  alreadyErased: boolean;
}

let api: IdentityApp;
let dir: string;
let admin: TestUser;
let ownerA: TestUser;
let mentorA: TestUser;
let ownerB: TestUser;
let mentorB: TestUser;
/** A learner in both communities. */
let both: TestUser;
let a: CommunityScene;
let b: CommunityScene;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronicle-sovereignty-'));
  api = await startIdentityApp({ readYourWritesTimeoutMs: 10_000 });
  admin = await makeAdmin(api);
  ownerA = await registerAndSignIn(api, 'Owner A');
  mentorA = await registerAndSignIn(api, 'Mentor A');
  ownerB = await registerAndSignIn(api, 'Owner B');
  mentorB = await registerAndSignIn(api, 'Mentor B');
  both = await registerAndSignIn(api, 'Both');
  a = await communityScene(api, { owner: ownerA, mentor: mentorA, learner: both }, `alpha-${randomUUID()}`);
  b = await communityScene(api, { owner: ownerB, mentor: mentorB, learner: both }, `beta-${randomUUID()}`);
  await caughtUp();
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function caughtUp(): Promise<void> {
  const [last] = await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 });
  const { pool, bus } = api.runtime;
  expect(await waitForPosition(pool, bus, last?.position ?? 0n, { timeoutMs: 10_000 })).toBe(true);
}

const communityProjections = (): Projection[] =>
  api.runtime.projections.filter((p) => COMMUNITY_READ_MODELS.includes(p.name));

/** The logical tables of the context that hold rows per community (`community_id`). */
async function communityTables(): Promise<string[]> {
  const tables = communityProjections().flatMap((p) => Object.keys(p.tables));
  const { rows } = await api.runtime.pool.query<{ table_name: string }>(
    `select table_name from information_schema.columns
      where table_schema = current_schema() and column_name = 'community_id' and table_name = any($1)`,
    [tables],
  );
  return rows.map((r) => r.table_name).sort();
}

/** Per table: how many rows the community has, and an order-independent digest of them. */
async function rowsOf(communityId: string): Promise<Record<string, { rows: number; digest: string }>> {
  const result: Record<string, { rows: number; digest: string }> = {};
  for (const table of await communityTables()) {
    const { rows } = await api.runtime.pool.query<{ n: number; digest: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(md5(t::text), ',' order by md5(t::text)), '')) as digest
         from ${pg.escapeIdentifier(table)} t where community_id = $1`,
      [communityId],
    );
    result[table] = { rows: rows[0]?.n ?? -1, digest: rows[0]?.digest ?? '' };
  }
  return result;
}

/** The community's stored events (found by the metadata the pipeline writes). */
async function storedEventsOf(communityId: string) {
  const { rows } = await api.runtime.pool.query<{
    stream_name: string;
    event_id: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  }>(
    `select stream_name, event_id, data, metadata from es_events
      where metadata->>'communityId' = $1 order by position`,
    [communityId],
  );
  return rows;
}

/** Every encrypted field of the community's events, and whether its key still opens it. */
async function ciphertextsOf(communityId: string) {
  const found: { stream: string; field: string; readable: boolean }[] = [];
  for (const event of await storedEventsOf(communityId)) {
    const subject = event.metadata.personalDataSubject;
    for (const [field, value] of Object.entries(event.data)) {
      if (!isEncryptedField(value) || typeof subject !== 'string') continue;
      const key = await api.runtime.keys.find(subject, value.kid);
      found.push({ stream: event.stream_name, field, readable: key !== null });
    }
  }
  return found;
}

/** A stream's events as the audit queries decode them now (an auditor's view). */
async function auditHistory(stream: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const history = fieldOf<{ nodes: { type: string; data: Record<string, unknown> }[] }>(
    await api.gql(HISTORY, { s: stream }, admin.accessToken),
    'history',
  );
  return history.nodes;
}

async function exportCommunity(name: string, communityId: string) {
  const out = join(dir, name);
  const result = await runCli(['audit', 'export', '--out', out, '--community', communityId], {
    DATABASE_URL: api.databaseUrl,
    LOG_LEVEL: 'warn',
  });
  expect(result.code, result.stderr).toBe(0);
  const lines = (await readFile(out, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ExportedEvent);
  const manifest = JSON.parse(await readFile(manifestPathFor(out), 'utf8'));
  const keys = JSON.parse(await readFile(keyFilePathFor(out), 'utf8')) as KeyFile;
  return { out, lines, manifest, keys, stdout: result.stdout };
}

describe('one community as a unit', () => {
  it('exports its events only, each stream whole and as the audit chain holds it, and replays elsewhere', async () => {
    const exported = await exportCommunity('alpha.ndjson', a.communityId);
    expect(exported.stdout).toContain(`of community ${a.communityId}`);
    expect(exported.lines.length).toBeGreaterThan(10);
    expect(new Set(exported.lines.map((e) => e.metadata.communityId))).toEqual(new Set([a.communityId]));
    // Every event the community owns is there, and nothing of the other community's.
    expect(exported.lines.map((e) => e.id)).toEqual(
      (await storedEventsOf(a.communityId)).map((e) => e.event_id),
    );
    expect(exported.manifest).toMatchObject({ community: a.communityId, completeForAnchors: false });
    expect(Object.keys(exported.manifest.countsByType)).toEqual(
      expect.arrayContaining([
        'CommunityCreated',
        'CommunityMemberJoined',
        'CommunityThreadStarted',
        'CommunityReplyPosted',
        'LearningPathPublished',
        'CheckpointApproved',
        'CheckpointAttemptSubmitted',
      ]),
    );

    // Each stream in the file is the stored stream, event for event and link for link.
    const streams = new Map<string, ExportedEvent[]>();
    for (const event of exported.lines)
      streams.set(event.stream, [...(streams.get(event.stream) ?? []), event]);
    for (const [stream, events] of streams) {
      const stored = await api.runtime.store.readStream(stream);
      expect(
        events.map((e) => [e.revision, e.id, e.hash]),
        stream,
      ).toEqual(stored.map((e) => [e.revision.toString(), e.id, e.hash]));
    }

    // The keys of the community and its members for it, and no one else's.
    const subjects = exported.keys.keys.map((k) => k.subject);
    expect(subjects).toContain(communitySubject(a.communityId));
    expect(subjects).toContain(communityMemberSubject(a.communityId, both.id));
    expect(subjects.every((s) => s.includes(a.communityId))).toBe(true);

    // Replayed into an empty database: the chains verify there and its read models hold the
    // community, readable with the exported keys, and only it.
    const url = await freshDatabase('sovereignty_replay');
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const store = new PostgresEventStore({ connectionString: url, log, pool });
    try {
      const report = await replayExport(
        {
          store,
          pool,
          bus: new InProcessChangeBus(),
          log,
          projections: createProjections({ codec: createEventCodec(new PostgresPersonalDataKeys(pool)) }),
          keepsRecordedAt: true,
          wipe: wipeEmbeddedTarget(pool),
          marker: embeddedReplayMarker(pool),
        },
        { file: exported.out },
      );
      expect(report).toMatchObject({ events: exported.lines.length, cutStreams: 0 });
      expect((await verifyAll(store)).findings).toEqual([]);
      const { rows } = await pool.query<{ community_id: string; description: string }>(
        'select community_id, description from community_communities',
      );
      expect(rows).toEqual([{ community_id: a.communityId, description: expect.stringContaining(a.marker) }]);
    } finally {
      await store.close();
      await pool.end();
    }
  }, 60_000);

  it("is erased by its owner alone; the other community stays as it was, the erased one's texts are unreadable everywhere, and the chain verifies", async () => {
    const otherBefore = await rowsOf(b.communityId);
    expect(Object.values(otherBefore).some((t) => t.rows > 0)).toBe(true);
    expect((await ciphertextsOf(a.communityId)).every((c) => c.readable)).toBe(true);

    // Nobody but the owner: a mentor of it, the other community's owner, a platform admin.
    const reason = 'The club is closing';
    for (const [who, expected] of [
      [mentorA, 'FORBIDDEN/MISSING_PERMISSION'],
      [ownerB, 'FORBIDDEN/NOT_A_MEMBER'],
      [admin, 'FORBIDDEN/NOT_A_MEMBER'],
    ] as const) {
      expect(
        errorCodes(await api.gql(ERASE_COMMUNITY, { c: a.communityId, r: reason }, who.accessToken)),
      ).toEqual([expected]);
    }
    expect(
      errorCodes(await api.gql(ERASE_COMMUNITY, { c: a.communityId, r: ' ' }, ownerA.accessToken)),
    ).toEqual(['VALIDATION/INVALID_REASON']);

    const receipt = fieldOf<Receipt>(
      await api.gql(ERASE_COMMUNITY, { c: a.communityId, r: reason }, ownerA.accessToken),
      'eraseCommunity',
    );
    expect(receipt).toMatchObject({
      communityId: a.communityId,
      erasedBy: ownerA.id,
      reason,
      people: 3,
      alreadyErased: false,
    });
    // The community's key and the keys of the two who wrote in it (posts, answers) at least.
    expect(receipt.keysDestroyedNow).toBeGreaterThanOrEqual(3);
    await caughtUp();

    // Asked again by the owner: nothing new, nothing left to destroy. Anyone else: it is gone.
    const again = fieldOf<Receipt>(
      await api.gql(ERASE_COMMUNITY, { c: a.communityId, r: reason }, ownerA.accessToken),
      'eraseCommunity',
    );
    expect(again).toMatchObject({
      position: receipt.position,
      alreadyErased: true,
      keysDestroyedNow: 0,
      people: 3,
    });
    expect(
      errorCodes(await api.gql(ERASE_COMMUNITY, { c: a.communityId, r: reason }, mentorA.accessToken)),
    ).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    const [erased] = (await auditHistory(communityStream(a.communityId))).filter(
      (e) => e.type === 'CommunityErased',
    );
    expect(erased?.data).toMatchObject({ communityId: a.communityId, erasedBy: ownerA.id, reason });

    // The API: the community and everything in it is gone, for its owner too.
    expect(
      errorCodes(
        await api.gql(
          `query ($id: ID!) { community(id: $id) { id } }`,
          { id: a.communityId },
          ownerA.accessToken,
        ),
      ),
    ).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    expect(errorCodes(await api.gql(THREAD, { id: a.threadId }, both.accessToken))[0]).toMatch(
      /^NOT_FOUND\//,
    );

    // The read models: no row of it but the directory's tombstone, without its texts.
    const after = await rowsOf(a.communityId);
    for (const [table, { rows }] of Object.entries(after)) {
      expect(rows, table).toBe(table === 'community_communities' ? 1 : 0);
    }
    const { rows: tombstone } = await api.runtime.pool.query(
      'select erased, description, rules, member_count from community_communities where community_id = $1',
      [a.communityId],
    );
    expect(tombstone).toEqual([{ erased: true, description: null, rules: null, member_count: 0 }]);

    // The stored events: every text of it is still there as ciphertext, and no key opens it.
    const ciphertexts = await ciphertextsOf(a.communityId);
    const fields = new Set(ciphertexts.map((c) => `${c.stream.split('-')[0]}.${c.field}`));
    expect([...fields]).toEqual(
      expect.arrayContaining(['community.description', 'communitypost.body', 'checkpoint.questions']),
    );
    expect(ciphertexts.filter((c) => c.readable)).toEqual([]);

    // The audit queries decode them as null.
    const texts = async (stream: string, type: string, field: string) =>
      (await auditHistory(stream)).filter((e) => e.type === type).map((e) => e.data[field]);
    expect(await texts(communityStream(a.communityId), 'CommunityCreated', 'description')).toEqual([null]);
    expect(await texts(communityPostStream(a.threadId), 'CommunityThreadStarted', 'body')).toEqual([null]);
    expect(await texts(communityPostStream(a.replyId), 'CommunityReplyPosted', 'body')).toEqual([null]);
    expect(await texts(learningModuleStream(a.moduleId), 'LearningModuleDrafted', 'body')).toEqual([null]);
    expect(await texts(checkpointStream(a.checkpointId), 'CheckpointDrafted', 'questions')).toEqual([null]);
    expect(
      await texts(checkpointAttemptsStream(a.checkpointId, both.id), 'CheckpointAttemptSubmitted', 'answers'),
    ).toEqual([null]);

    // What integrators are sent of it: the description as null, the erasure itself.
    const integrators = async (communityId: string) =>
      Promise.all(
        (await api.runtime.store.readStream(communityStream(communityId))).map((e) =>
          toIntegratorEvent(api.runtime.codec, e),
        ),
      );
    expect((await integrators(a.communityId)).map((e) => [e?.type, e?.data.description])).toEqual([
      ['CommunityCreated', null],
      ['CommunityErased', undefined],
    ]);
    expect((await integrators(b.communityId))[0]?.data.description).toContain(b.marker);

    // The other community: every row as it was, its texts readable, the shared learner's too.
    expect(await rowsOf(b.communityId)).toEqual(otherBefore);
    expect((await ciphertextsOf(b.communityId)).every((c) => c.readable)).toBe(true);
    const thread = fieldOf<{ body: string }>(
      await api.gql(THREAD, { id: b.threadId }, both.accessToken),
      'communityThread',
    );
    expect(thread.body).toContain(b.marker);

    // A rebuild of every read model of the context ends as the live tables are.
    const { store, pool, bus } = api.runtime;
    for (const projection of communityProjections()) {
      const report = await rebuildProjection(
        { store, pool, bus, log },
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false },
      );
      for (const table of report.comparison ?? []) {
        expect(table, `${projection.name}: ${table.table} rebuilt`).toMatchObject({ same: true });
      }
      expect(await abandonRebuild(pool, projection.name)).toBe(true);
    }

    // The chains and anchors still verify: the erasure rewrote nothing.
    expect((await verifyAll(store)).findings).toEqual([]);
    const verified = await runCli(['audit', 'verify', '--all'], {
      DATABASE_URL: api.databaseUrl,
      LOG_LEVEL: 'warn',
    });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // Exported now, the community's file carries no key at all: its people count as forgotten.
    const later = await exportCommunity('alpha-erased.ndjson', a.communityId);
    expect(later.keys.keys).toEqual([]);
    expect(later.manifest.personalData.forgottenSubjects).toBe(later.manifest.personalData.subjects);
  }, 120_000);

  it('forgetting a person destroys their key in every community, and nobody else’s', async () => {
    const forgot = await api.gql('mutation { forgetUser { userId } }', {}, both.accessToken);
    expect(fieldOf<{ userId: string }>(forgot, 'forgetUser').userId).toBe(both.id);
    const ciphertexts = await ciphertextsOf(b.communityId);
    const ofTheirs = (c: { stream: string }) =>
      c.stream === communityPostStream(b.threadId) ||
      c.stream === checkpointAttemptsStream(b.checkpointId, both.id);
    expect(ciphertexts.filter(ofTheirs).length).toBeGreaterThan(0);
    expect(ciphertexts.filter(ofTheirs).filter((c) => c.readable)).toEqual([]);
    expect(ciphertexts.filter((c) => !ofTheirs(c)).every((c) => c.readable)).toBe(true);
    // Their key for the community is gone for good: nothing of theirs can be written there again.
    await expect(
      api.runtime.keys.keyFor(communityMemberSubject(b.communityId, both.id)),
    ).rejects.toMatchObject({
      reason: 'SUBJECT_FORGOTTEN',
    });
    await expect(api.runtime.keys.keyFor(communitySubject(b.communityId))).resolves.toBeDefined();
    // Without the read model the membership history alone finds both communities; again, a no-op.
    const { store, keys } = api.runtime;
    expect(await destroyCommunityTextOf({ store, keys }, both.id.toUpperCase())).toBe(2);
  });
});
