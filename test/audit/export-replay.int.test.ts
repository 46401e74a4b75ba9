import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anchorRound } from '../../src/audit/anchoring-loop.ts';
import { listAnchors } from '../../src/audit/anchors.ts';
import { type ExportResult, exportEvents } from '../../src/audit/export.ts';
import {
  type ExportManifest,
  keyFilePathFor,
  manifestPathFor,
  manifestSchema,
} from '../../src/audit/export-format.ts';
import type { RangeBound } from '../../src/audit/export-range.ts';
import {
  embeddedReplayMarker,
  type ReplayReport,
  replayExport,
  wipeEmbeddedTarget,
} from '../../src/audit/replay.ts';
import { ReplayRefused } from '../../src/audit/replay-verification.ts';
import { readModelChecksums } from '../../src/audit/table-checksums.ts';
import { verifyAll } from '../../src/audit/verify.ts';
import { createEventCodec } from '../../src/commands/event-codec.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { PostgresPersonalDataKeys } from '../../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { createProjections } from '../../src/projections/registry.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import {
  APPROVE,
  approveThroughWorkflow,
  type BrandTeam,
  brandTeam,
  createArticle,
  REJECT,
  SUBMIT,
} from '../api/content/support.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../api/support/identity-operations.ts';
import { runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';

const log = createLogger('silent');
type Checksums = Awaited<ReturnType<typeof readModelChecksums>>;

/** A second system on another database of the same embedded PostgreSQL, as a replay target. */
async function target(databaseUrl?: string) {
  const url = databaseUrl ?? (await freshDatabase('replay'));
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = new PostgresEventStore({ connectionString: url, log, pool });
  const bus = new InProcessChangeBus();
  const projections = createProjections({ codec: createEventCodec(new PostgresPersonalDataKeys(pool)) });
  return {
    url,
    pool,
    store,
    projections,
    replay: (file: string): Promise<ReplayReport> =>
      replayExport(
        {
          store,
          pool,
          bus,
          log,
          projections,
          keepsRecordedAt: true,
          wipe: wipeEmbeddedTarget(pool),
          marker: embeddedReplayMarker(pool),
        },
        { file },
      ),
    checksums: (tables?: string[]) => readModelChecksums(pool, projections, tables ? { tables } : {}),
    async eventCount(): Promise<number> {
      const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from es_events');
      return rows[0]?.n ?? -1;
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}

describe('audit export and replay', () => {
  let api: IdentityApp;
  let dir: string;
  let team: BrandTeam;
  let forgotten: TestUser;
  let kept: TestUser;
  /** The head after the first part of the history, and the source's read models then. */
  let midHead: bigint;
  let midChecksums: Checksums;
  let finalHead: bigint;
  let finalChecksums: Checksums;

  async function head(): Promise<bigint> {
    const [last] = await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 });
    return last?.position ?? -1n;
  }

  /**
   * The head and the source's read models at that head, taken together: waits until every read
   * model has applied the head, checksums them, and tries again if the head moved meanwhile
   * (background loops such as anchoring may append).
   */
  async function snapshot(): Promise<{ head: bigint; checksums: Checksums }> {
    for (;;) {
      const position = await head();
      expect(await waitForPosition(api.runtime.pool, api.runtime.bus, position, { timeoutMs: 10_000 })).toBe(
        true,
      );
      const checksums = await readModelChecksums(api.runtime.pool, api.runtime.projections);
      if ((await head()) === position) return { head: position, checksums };
    }
  }

  /** Writes edited lines back and makes the manifest match them again, as a forger would. */
  async function forge(exported: ExportResult, file: string, lines: string[]): Promise<void> {
    const edited = lines.join('\n');
    await writeFile(file, edited);
    const manifest: ExportManifest = {
      ...exported.manifest,
      file: {
        ...exported.manifest.file,
        sha256: createHash('sha256').update(edited).digest('hex'),
        bytes: Buffer.byteLength(edited),
      },
    };
    await writeFile(exported.manifestPath, JSON.stringify(manifest));
  }

  function exportTo(
    name: string,
    options: { from?: RangeBound; to?: RangeBound; prefix?: string; withoutPersonalData?: boolean } = {},
  ): Promise<ExportResult> {
    const { store, keys } = api.runtime;
    return exportEvents(
      {
        store,
        keys,
        anchorsWithin: async (from, to) =>
          (await listAnchors(store, { from, to }))
            .filter((a) => a.fromPosition >= from && a.toPosition <= to)
            .map((a) => ({
              stream: a.stream,
              fromPosition: a.fromPosition.toString(),
              toPosition: a.toPosition.toString(),
              eventCount: a.eventCount,
              merkleRoot: a.merkleRoot,
              algorithm: a.algorithm,
            })),
      },
      { out: join(dir, name), toolVersion: 'test', ...options },
    );
  }

  async function exportFiles(prefix: string): Promise<string> {
    const names = (await readdir(dir)).filter((n) => n.startsWith(prefix));
    const texts = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
    return texts.join('\n');
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronicle-audit-export-'));
    api = await startIdentityApp();
    // Part one: a brand team, an article through review, a person who is then forgotten, anchors.
    team = await brandTeam(api);
    const article = await createArticle(api, team);
    await approveThroughWorkflow(api, team, article.id);
    forgotten = await registerAndSignIn(api, 'Forget Me');
    await api.gql(
      'mutation { updateProfile(input: { bio: "Born in 1815" }) { bio } }',
      {},
      forgotten.accessToken,
    );
    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, forgotten.accessToken), 'forgetUser');
    kept = await registerAndSignIn(api, 'Keep Me');
    await anchorRound(api.runtime.store, { everyEvents: 25, everyMs: 0 }, { now: new Date(), force: true });
    ({ head: midHead, checksums: midChecksums } = await snapshot());
    // Part two: more content, one rejected, and another person.
    const second = await createArticle(api, team, 'Second article', 'Oats, again, and more oats.');
    fieldOf(await api.gql(SUBMIT, { id: second.id }, team.editor.accessToken), 'submitContent');
    fieldOf(
      await api.gql(REJECT, { id: second.id, reason: 'Too many oats' }, team.approver.accessToken),
      'rejectContent',
    );
    const third = await createArticle(api, team, 'Third article', 'A short one.');
    fieldOf(await api.gql(SUBMIT, { id: third.id }, team.editor.accessToken), 'submitContent');
    fieldOf(await api.gql(APPROVE, { id: third.id }, team.approver.accessToken), 'approveContent');
    await registerAndSignIn(api, 'Late Comer');
    await api.gql('mutation { updateProfile(input: { bio: "Still here" }) { bio } }', {}, kept.accessToken);
    ({ head: finalHead, checksums: finalChecksums } = await snapshot());
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays the whole history into an empty database with identical read models', async () => {
    const exported = await exportTo('full.ndjson', { to: { kind: 'position', position: finalHead } });
    const { manifest } = exported;
    expect(manifest.range.toPosition).toBe(finalHead.toString());
    expect(manifest.eventCount).toBeGreaterThan(50);
    expect(manifest.countsByType).toMatchObject({ UserRegistered: expect.any(Number), UserForgotten: 1 });
    expect(manifest.anchors.length).toBeGreaterThan(1);
    expect(manifest.completeForAnchors).toBe(true);
    expect(manifest.personalData).toMatchObject({ mode: 'keys-file', forgottenSubjects: 1 });
    expect((await stat(keyFilePathFor(join(dir, 'full.ndjson')))).mode & 0o777).toBe(0o600);

    const replica = await target();
    try {
      const report = await replica.replay(join(dir, 'full.ndjson'));
      expect(report.anchorsCarried).toBe(true);
      expect((await verifyAll(replica.store)).findings).toEqual([]);
      expect(report).toMatchObject({
        events: manifest.eventCount,
        cutStreams: 0,
        anchorsVerified: manifest.anchors.length,
        personalData: 'keys-file',
      });
      expect(report.rebuild?.failures).toEqual([]);
      expect(report.rebuild?.projections.length).toBe(replica.projections.length);
      const rebuilt = await replica.checksums();
      expect(Object.keys(rebuilt).length).toBeGreaterThan(5);
      expect(rebuilt).toEqual(finalChecksums);
      expect(rebuilt.users?.rows).toBeGreaterThan(5);
      // Every chain the target computed is the source's, link for link.
      const stream = `user-${kept.id}`;
      const [source, copy] = await Promise.all([
        api.runtime.store.readStream(stream),
        replica.store.readStream(stream),
      ]);
      expect(copy.map((e) => [e.id, e.hash])).toEqual(source.map((e) => [e.id, e.hash]));
      expect((await replica.store.verifyStream(stream)).ok).toBe(true);
      // The person not forgotten reads back in the replica; the forgotten one does not.
      const { rows } = await replica.pool.query<{ user_id: string; email: string | null }>(
        'select user_id, email from users where user_id = any($1)',
        [[kept.id, forgotten.id]],
      );
      expect(Object.fromEntries(rows.map((r) => [r.user_id, r.email]))).toEqual({
        [kept.id]: kept.email,
        [forgotten.id]: null,
      });
    } finally {
      await replica.close();
    }
  }, 60_000);

  it("never carries the forgotten person's e-mail, in any file of any export", async () => {
    await exportTo('erasure.ndjson');
    await exportTo('erasure-nokeys.ndjson', { withoutPersonalData: true });
    const files = await exportFiles('erasure');
    expect(files).toContain(forgotten.id);
    expect(files).not.toContain(forgotten.email);
    expect(files).not.toContain('Born in 1815');
    // Personal data of people not forgotten is ciphertext in the events too: only keys make it readable.
    expect(await readFile(join(dir, 'erasure.ndjson'), 'utf8')).not.toContain(kept.email);
  });

  it("replays an export made --without-personal-data with everyone's personal fields erased", async () => {
    const exported = await exportTo('anonymous.ndjson', {
      to: { kind: 'position', position: finalHead },
      withoutPersonalData: true,
    });
    expect(exported.keyFilePath).toBeNull();
    expect(exported.manifest.personalData).toMatchObject({ mode: 'withheld', keyFile: null });
    const replica = await target();
    try {
      const report = await replica.replay(join(dir, 'anonymous.ndjson'));
      expect(report.personalData).toBe('withheld');
      const { rows } = await replica.pool.query<{ known: number; emails: number }>(
        'select count(*)::int as known, count(email)::int as emails from users',
      );
      expect(rows[0]).toEqual({ known: finalChecksums.users?.rows, emails: 0 });
    } finally {
      await replica.close();
    }
  }, 60_000);

  it('exports a range ending in the past (CLI, child processes) and replays the read models the source had then', async () => {
    const out = join(dir, 'mid.ndjson');
    const exported = await runCli(
      ['audit', 'export', '--to', midHead.toString(), '--out', out],
      { DATABASE_URL: api.databaseUrl, LOG_LEVEL: 'warn' },
      60_000,
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^exported \d+ events/);
    const manifest = manifestSchema.parse(JSON.parse(await readFile(manifestPathFor(out), 'utf8')));
    expect(manifest.range).toEqual({ fromPosition: '0', toPosition: midHead.toString() });

    const targetUrl = await freshDatabase('replaycli');
    const replayed = await runCli(
      ['audit', 'replay', out, '--database-url', targetUrl],
      { LOG_LEVEL: 'warn' },
      90_000,
    );
    expect(replayed.stderr).toBe('');
    expect(replayed.code, replayed.stdout).toBe(0);
    expect(replayed.stdout).toMatch(/load +\d+ events\/s/);
    expect(replayed.stdout).toMatch(/rebuild +\d+ events\/s/);
    const replica = await target(targetUrl);
    try {
      expect(await replica.eventCount()).toBe(manifest.eventCount);
      expect(await replica.checksums()).toEqual(midChecksums);
      expect(await replica.checksums()).not.toEqual(finalChecksums);
    } finally {
      await replica.close();
    }
  }, 180_000);

  it('refuses a tampered export, naming the problem, and writes nothing', async () => {
    const exported = await exportTo('tampered.ndjson', { to: { kind: 'position', position: midHead } });
    const file = join(dir, 'tampered.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const index = lines.findIndex((l) => l.includes('"UserRoleChanged"'));
    expect(index).toBeGreaterThan(0);
    lines[index] = (lines[index] ?? '').replace('"role":"admin"', '"role":"user"');
    const edited = lines.join('\n');
    await writeFile(file, edited);

    const replica = await target();
    try {
      const refusal = await replica.replay(file).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ReplayRefused);
      expect(refusal).toMatchObject({
        code: 'FILE_SHA256_MISMATCH',
        message: expect.stringContaining('SHA-256 mismatch'),
      });

      // A forger who also fixes the manifest's SHA-256 still breaks the stream's hash chain.
      const manifest: ExportManifest = { ...exported.manifest };
      manifest.file = {
        ...manifest.file,
        sha256: createHash('sha256').update(edited).digest('hex'),
        bytes: Buffer.byteLength(edited),
      };
      await writeFile(exported.manifestPath, JSON.stringify(manifest));
      const chain = await replica.replay(file).catch((e: unknown) => e);
      expect(chain).toMatchObject({
        code: 'CHAIN_BROKEN',
        message: expect.stringContaining(`line ${index + 1}:`),
      });
      expect(await replica.eventCount()).toBe(0);
    } finally {
      await replica.close();
    }
  }, 60_000);

  it('refuses an export of the whole store in which a stream lost its first events', async () => {
    const exported = await exportTo('beheaded.ndjson', { to: { kind: 'position', position: midHead } });
    const file = join(dir, 'beheaded.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    // The first event of a stream that has more than one: its later events remain.
    const streamOf = (line: string) => (JSON.parse(line) as { stream: string }).stream;
    const counts = new Map<string, number>();
    for (const line of lines.filter(Boolean))
      counts.set(streamOf(line), (counts.get(streamOf(line)) ?? 0) + 1);
    const index = lines.findIndex((l) => l && (counts.get(streamOf(l)) ?? 0) > 1);
    const [removed] = lines.splice(index, 1);
    await forge(exported, file, lines);
    const replica = await target();
    try {
      const refusal = await replica.replay(file).catch((e: unknown) => e);
      expect(refusal).toMatchObject({
        code: 'STREAM_STARTS_LATE',
        message: expect.stringContaining(streamOf(removed ?? '')),
      });
      expect(await replica.eventCount()).toBe(0);
    } finally {
      await replica.close();
    }
  }, 60_000);

  it('refuses an export that repeats an event id before writing anything', async () => {
    const exported = await exportTo('repeated.ndjson', { to: { kind: 'position', position: midHead } });
    const file = join(dir, 'repeated.ndjson');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const idOf = (line: string) => (JSON.parse(line) as { id: string }).id;
    const first = lines[0] ?? '';
    const last = lines.filter(Boolean).length - 1;
    // The id is not part of the chained content: only an id check sees this.
    lines[last] = (lines[last] ?? '').replace(idOf(lines[last] ?? ''), idOf(first));
    await forge(exported, file, lines);
    const replica = await target();
    try {
      const refusal = await replica.replay(file).catch((e: unknown) => e);
      expect(refusal).toMatchObject({
        code: 'DUPLICATE_EVENT_ID',
        message: expect.stringContaining(idOf(first)),
      });
      expect(await replica.eventCount()).toBe(0);
    } finally {
      await replica.close();
    }
  }, 60_000);

  it('empties the target again when loading fails half-way (all or nothing)', async () => {
    await exportTo('interrupted.ndjson', { to: { kind: 'position', position: midHead } });
    const replica = await target();
    try {
      // The target's database fails after a few appends, after the verifying pass found nothing.
      let appends = 0;
      const failing = new Proxy(replica.store, {
        get(store, key, receiver) {
          if (key !== 'append') return Reflect.get(store, key, receiver);
          return (...args: Parameters<typeof store.append>) =>
            ++appends > 5 ? Promise.reject(new Error('connection lost')) : store.append(...args);
        },
      });
      const failure = await replayExport(
        {
          store: failing,
          pool: replica.pool,
          bus: new InProcessChangeBus(),
          log,
          projections: replica.projections,
          wipe: wipeEmbeddedTarget(replica.pool),
        },
        { file: join(dir, 'interrupted.ndjson') },
      ).catch((e: unknown) => e);
      expect(failure).toMatchObject({ message: 'connection lost' });
      expect(await replica.eventCount()).toBe(0);
      // Empty again: the same export replays in full.
      const report = await replica.replay(join(dir, 'interrupted.ndjson'));
      expect(await replica.eventCount()).toBe(report.events);
    } finally {
      await replica.close();
    }
  }, 120_000);

  it('empties and reloads a target whose earlier replay was killed half-way', async () => {
    await exportTo('killed.ndjson', { to: { kind: 'position', position: midHead } });
    const replica = await target();
    try {
      // A process killed while loading runs no clean-up: what it appended stays, and its marker.
      let appends = 0;
      const dying = new Proxy(replica.store, {
        get(store, key, receiver) {
          if (key !== 'append') return Reflect.get(store, key, receiver);
          return async (...args: Parameters<typeof store.append>) => {
            if (++appends > 5) return new Promise<never>(() => undefined);
            return store.append(...args);
          };
        },
      });
      const killed = replayExport(
        {
          store: dying,
          pool: replica.pool,
          bus: new InProcessChangeBus(),
          log,
          projections: replica.projections,
          marker: embeddedReplayMarker(replica.pool),
        },
        { file: join(dir, 'killed.ndjson') },
      );
      killed.catch(() => undefined);
      await vi.waitFor(async () => expect(await replica.eventCount()).toBeGreaterThan(0), {
        timeout: 30_000,
      });
      expect(await embeddedReplayMarker(replica.pool).interrupted()).toMatchObject({
        file: join(dir, 'killed.ndjson'),
      });

      const report = await replica.replay(join(dir, 'killed.ndjson'));
      expect(await replica.eventCount()).toBe(report.events);
      expect(await embeddedReplayMarker(replica.pool).interrupted()).toBeUndefined();
    } finally {
      await replica.close();
    }
  }, 120_000);

  it('refuses to replay into a store that is not empty', async () => {
    await exportTo('into-source.ndjson', { to: { kind: 'position', position: midHead } });
    const source = await target(api.databaseUrl);
    try {
      const before = await source.eventCount();
      const refusal = await source.replay(join(dir, 'into-source.ndjson')).catch((e: unknown) => e);
      expect(refusal).toMatchObject({
        code: 'TARGET_NOT_EMPTY',
        message: expect.stringContaining('not empty'),
      });
      expect(await source.eventCount()).toBe(before);
    } finally {
      await source.close();
    }
  });

  it('exports part of the history by stream prefix and by position, and replays it', async () => {
    // Every user stream, whole: the users read model comes out as in the source.
    const users = await exportTo('users.ndjson', { prefix: 'user-' });
    expect(Object.keys(users.manifest.countsByType).every((t) => !t.startsWith('Brand'))).toBe(true);
    expect(users.manifest).toMatchObject({ prefix: 'user-', completeForAnchors: false });
    const replica = await target();
    try {
      const report = await replica.replay(join(dir, 'users.ndjson'));
      expect(report).toMatchObject({ events: users.manifest.eventCount, cutStreams: 0, anchorsVerified: 0 });
      expect((await replica.checksums(['users'])).users).toEqual(finalChecksums.users);
      expect((await replica.checksums(['brands'])).brands?.rows).toBe(0);
    } finally {
      await replica.close();
    }

    // From the middle on: streams that began earlier start part-way; their first link is taken as given.
    const tail = await exportTo('tail.ndjson', { from: { kind: 'position', position: midHead + 1n } });
    expect(tail.manifest.eventCount).toBeGreaterThan(0);
    expect(BigInt(tail.manifest.firstPosition ?? '0')).toBeGreaterThan(midHead);
    const partial = await target();
    try {
      const report = await partial.replay(join(dir, 'tail.ndjson'));
      expect(report.events).toBe(tail.manifest.eventCount);
      expect(report.cutStreams).toBeGreaterThan(0);
      expect(await partial.eventCount()).toBe(tail.manifest.eventCount);
    } finally {
      await partial.close();
    }
  }, 60_000);

  it('replays an export whose positions shift in the target into a store that verifies', async () => {
    // From position 1: every event lands one position lower in the target, the anchor events too.
    const shifted = await exportTo('shifted.ndjson', { from: { kind: 'position', position: 1n } });
    expect(Object.keys(shifted.manifest.countsByType)).toContain('AuditAnchored');
    const replica = await target();
    try {
      const report = await replica.replay(join(dir, 'shifted.ndjson'));
      expect(report.anchorsCarried).toBe(false);
      const verification = await verifyAll(replica.store);
      expect(verification.findings).toEqual([]);
      expect(verification.anchors?.count).toBe(0);
    } finally {
      await replica.close();
    }
  }, 60_000);

  it('resolves ISO times to the events stored at or after / at or before them', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const empty = await exportTo('future.ndjson', { from: { kind: 'time', at: new Date(future) } });
    expect(empty.manifest.eventCount).toBe(0);
    const all = await exportTo('past.ndjson', { to: { kind: 'time', at: new Date(future) } });
    expect(all.manifest.range.toPosition).toBe(finalHead.toString());
  });
});
