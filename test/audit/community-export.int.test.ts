import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEvents } from '../../src/audit/export.ts';
import { parseExportCommand } from '../../src/audit/export-command.ts';
import { type ExportedEvent, manifestPathFor, manifestSchema } from '../../src/audit/export-format.ts';
import { embeddedReplayMarker, replayExport, wipeEmbeddedTarget } from '../../src/audit/replay.ts';
import { ReplayRefused } from '../../src/audit/replay-verification.ts';
import { verifyAll } from '../../src/audit/verify.ts';
import { createEventCodec } from '../../src/commands/event-codec.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { PostgresPersonalDataKeys } from '../../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { createProjections } from '../../src/projections/registry.ts';
import { freshDatabase } from '../support/database.ts';

const log = createLogger('silent');

/**
 * `audit export --community`, on a store written directly: events of two communities in
 * community-owned categories, and events of the rest of the system (one of them even naming a
 * community in its metadata, in a category no community owns). The whole flow through the API
 * is test/api/communities/sovereignty.int.test.ts; this one pins the filter itself. The event
 * types are ones no projection knows, so a replay's rebuild leaves them alone.
 */
describe('audit export of one community', () => {
  const CATEGORIES = ['community', 'communitymember', 'communitypost'];
  const one = randomUUID();
  const other = randomUUID();
  let dir: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  const meta = (communityId?: string) => ({
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
    ...(communityId ? { communityId } : {}),
  });
  const append = (stream: string, communityId?: string, n = 2) =>
    store.append(
      stream,
      Array.from({ length: n }, (_, i) => ({
        id: randomUUID(),
        type: 'FixtureNoted',
        data: { communityId: communityId ?? null, n: i },
        metadata: meta(communityId),
      })),
    );

  function exportCommunity(name: string, community: string, prefix?: string) {
    return exportEvents(
      { store, keys: new PostgresPersonalDataKeys(pool), anchorsWithin: async () => [] },
      {
        out: join(dir, name),
        toolVersion: 'test',
        community,
        communityCategories: CATEGORIES,
        ...(prefix ? { prefix } : {}),
      },
    );
  }

  async function lines(name: string): Promise<ExportedEvent[]> {
    const text = await readFile(join(dir, name), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExportedEvent);
  }

  async function replayInto(file: string) {
    const url = await freshDatabase('community_replay');
    const targetPool = new pg.Pool({ connectionString: url, max: 4 });
    const target = new PostgresEventStore({ connectionString: url, log, pool: targetPool });
    const projections = createProjections({
      codec: createEventCodec(new PostgresPersonalDataKeys(targetPool)),
    });
    try {
      const report = await replayExport(
        {
          store: target,
          pool: targetPool,
          bus: new InProcessChangeBus(),
          log,
          projections,
          keepsRecordedAt: true,
          wipe: wipeEmbeddedTarget(targetPool),
          marker: embeddedReplayMarker(targetPool),
        },
        { file, rebuild: false },
      );
      return { report, verification: await verifyAll(target) };
    } finally {
      await target.close();
      await targetPool.end();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronicle-community-export-'));
    const url = await freshDatabase('community_export');
    pool = new pg.Pool({ connectionString: url, max: 4 });
    store = new PostgresEventStore({ connectionString: url, log, pool });
    await append(`user-${randomUUID()}`);
    await append(`community-${one}`, one, 3);
    await append(`community-${other}`, other);
    await append(`communitymember-${randomUUID()}`, one);
    // Not a community-owned category: never read, whatever its metadata says.
    await append(`chatmsg-${randomUUID()}`, one);
    await append(`communitymember-${randomUUID()}`, other);
    await append(`communitypost-${randomUUID()}`, one, 1);
    await append(`user-${randomUUID()}`);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps exactly the community's events, in order, each stream whole, and says so in the manifest", async () => {
    const { manifest, manifestPath } = await exportCommunity('one.ndjson', one);
    const exported = await lines('one.ndjson');
    expect(exported.map((e) => e.metadata.communityId)).toEqual(Array(6).fill(one));
    expect(new Set(exported.map((e) => e.stream.split('-')[0]))).toEqual(
      new Set(['community', 'communitymember', 'communitypost']),
    );
    const positions = exported.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(manifest).toMatchObject({
      community: one,
      eventCount: 6,
      streamCount: 3,
      completeForAnchors: false,
    });
    // The manifest on disk reads back through the schema replay uses.
    expect(manifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8'))).community).toBe(one);

    const narrowed = await exportCommunity('one-posts.ndjson', one, 'communitypost-');
    expect(narrowed.manifest.eventCount).toBe(1);
    const nothing = await exportCommunity('none.ndjson', one, 'user-');
    expect(nothing.manifest.eventCount).toBe(0);
  });

  it('replays into an empty store whose chains verify, and a line of another community is refused', async () => {
    const { report, verification } = await replayInto(join(dir, 'one.ndjson'));
    expect(report).toMatchObject({ events: 6, streams: 3, cutStreams: 0 });
    expect(verification.findings).toEqual([]);

    // Someone slips the other community's stream into the file and reseals the manifest.
    await exportCommunity('forged.ndjson', one);
    const foreign = (await exportCommunity('other.ndjson', other)).manifest;
    expect(foreign.eventCount).toBe(4);
    const mixed = [...(await lines('forged.ndjson')), ...(await lines('other.ndjson'))].sort((a, b) =>
      BigInt(a.position) < BigInt(b.position) ? -1 : 1,
    );
    const text = mixed.map((e) => `${JSON.stringify(e)}\n`).join('');
    await writeFile(join(dir, 'forged.ndjson'), text);
    const manifestPath = manifestPathFor(join(dir, 'forged.ndjson'));
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.file.sha256 = createHash('sha256').update(text).digest('hex');
    manifest.file.bytes = Buffer.byteLength(text);
    manifest.eventCount = mixed.length;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const refused = await replayInto(join(dir, 'forged.ndjson')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ReplayRefused);
    expect(refused).toMatchObject({ code: 'OUT_OF_RANGE' });
  }, 60_000);

  it('takes --community as a uuid, lower-cased, and refuses anything else', () => {
    const id = randomUUID();
    expect(parseExportCommand(['--out', 'x.ndjson', '--community', id.toUpperCase()])).toMatchObject({
      community: id,
    });
    expect(() => parseExportCommand(['--out', 'x.ndjson', '--community', 'acme'])).toThrow(/uuid/);
  });
});
