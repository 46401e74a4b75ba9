import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorRound } from '../../src/audit/anchoring-loop.ts';
import { ANCHOR_STREAM_PREFIX, listAnchors } from '../../src/audit/anchors.ts';
import { readPublishedRoots } from '../../src/audit/published-roots.ts';
import {
  fileRootPublisher,
  type PublishedRoot,
  RootPublication,
  webhookRootPublisher,
} from '../../src/audit/root-publication.ts';
import { loadAnchorPublicKey, loadAnchorSigner } from '../../src/audit/signing-key.ts';
import { verifyAll } from '../../src/audit/verify.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { outboundPolicy } from '../../src/net/outbound-policy.ts';
import { runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';
import { relinkStream } from '../support/relink-stream.ts';

const log = createLogger('silent');
const HOUR = 3_600_000;

/**
 * The database administrator's attack: rewrite an event, recompute the stream's hash chain, drop
 * the anchors and anchor again. Inside the database everything agrees afterwards; the signing key
 * (kept outside it) and the roots published outside it are what catch the rewrite.
 */
describe('signed and published anchors', () => {
  const dir = join(tmpdir(), `chronicle-anchors-${randomUUID()}`);
  const keyPrefix = `${dir}-key`;
  const rootsFile = `${dir}-roots.jsonl`;
  let connectionString: string;
  let store: PostgresEventStore;
  let raw: pg.Pool;
  let hook: Server;
  let hookUrl: string;
  const delivered: PublishedRoot[] = [];
  let failNextDeliveries = 0;

  beforeAll(async () => {
    connectionString = await freshDatabase('signed_anchors');
    store = new PostgresEventStore({ connectionString, log });
    raw = new pg.Pool({ connectionString, max: 3 });
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (failNextDeliveries > 0) {
          failNextDeliveries--;
          res.writeHead(503).end();
          return;
        }
        delivered.push(...(JSON.parse(body) as { roots: PublishedRoot[] }).roots);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/roots`;

    const keygen = await runCli(['audit', 'keygen', keyPrefix], { LOG_LEVEL: 'silent' }, 30_000);
    expect(keygen.code).toBe(0);
    expect(keygen.stdout).toContain(`${keyPrefix}.pub`);
    const again = await runCli(['audit', 'keygen', keyPrefix], { LOG_LEVEL: 'silent' }, 30_000);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwrites');
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await raw?.end();
    await new Promise((resolve) => hook?.close(resolve));
  });

  const note = (n: number) => ({ id: randomUUID(), type: 'NoteWritten', data: { n }, metadata: {} });

  it('signs each anchor, publishes it to a file and a webhook (retrying a failed delivery), and verifies INTACT against both', async () => {
    const signer = await loadAnchorSigner(`${keyPrefix}.key`);
    for (let i = 0; i < 12; i++) await store.append(`note-${i % 3}`, [note(i)]);
    const round = await anchorRound(store, { everyEvents: 4, everyMs: HOUR }, { now: new Date(), signer });
    expect(round.written).toHaveLength(3);
    const anchors = await listAnchors(store);
    expect(anchors.every((a) => a.signature?.keyId === signer.keyId)).toBe(true);

    const publication = new RootPublication(
      raw,
      store,
      // The hook listens on 127.0.0.1: allowed as OUTBOUND_ALLOW_INTERNAL would allow it.
      [fileRootPublisher(rootsFile), webhookRootPublisher(hookUrl, outboundPolicy(['127.0.0.1']))],
      log,
    );
    failNextDeliveries = 1;
    expect(await publication.publishPending()).toBe(3); // the file got them; the webhook refused
    expect(delivered).toHaveLength(0);
    expect(await publication.publishPending()).toBe(3); // the webhook now; the file nothing new
    expect(await publication.publishPending()).toBe(0);
    const published = await readPublishedRoots(rootsFile);
    expect(published.map((r) => r.merkleRoot)).toEqual(anchors.map((a) => a.merkleRoot));
    expect(delivered).toEqual(published);

    const cli = await runCli(
      ['audit', 'verify', '--public-key', `${keyPrefix}.pub`, '--against', rootsFile],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`signed by key ${signer.keyId}`);
    expect(cli.stdout).toContain('3 roots published outside the database');
    expect(cli.stdout).toContain('INTACT');
  });

  it('catches history rewritten and re-anchored in the database: unsigned anchors, roots that differ from the published ones', async () => {
    const [target] = await store.readStream('note-1');
    if (!target) throw new Error('no event');
    await rewriteAndReanchor(raw, target.streamName, target.revision);
    await anchorRound(store, { everyEvents: 4, everyMs: HOUR }, { now: new Date(), force: true });

    // The database agrees with itself...
    expect((await verifyAll(store)).findings).toEqual([]);
    // ...but not with the key or the published roots.
    const publicKey = await loadAnchorPublicKey(`${keyPrefix}.pub`);
    const published = await readPublishedRoots(rootsFile);
    const report = await verifyAll(store, { publicKey, published });
    const codes = new Set(report.findings.map((f) => f.code));
    expect(codes).toEqual(new Set(['ANCHOR_UNSIGNED', 'PUBLISHED_ROOT_MISMATCH']));
    const mismatch = report.findings.find((f) => f.code === 'PUBLISHED_ROOT_MISMATCH');
    expect(mismatch?.anchor?.fromPosition).toBeLessThanOrEqual(target.position);
    expect(mismatch?.anchor?.toPosition).toBeGreaterThanOrEqual(target.position);

    const cli = await runCli(
      ['audit', 'verify', '--against', rootsFile],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('PUBLISHED_ROOT_MISMATCH');
  });

  it('catches anchored history deleted with its anchors, and a published copy that was itself altered', async () => {
    const published = await readPublishedRoots(rootsFile);
    const last = published.at(-1);
    if (!last) throw new Error('nothing published');
    // Everything the last published root covers goes, anchors included; the heads are fixed up.
    await raw.query(`delete from es_events where position >= $1`, [last.fromPosition]);
    await raw.query(
      `update es_streams s set revision = coalesce(e.revision, -1), last_hash = e.hash
         from es_streams s2 left join lateral (
           select revision, hash from es_events x where x.stream_name = s2.stream_name order by revision desc limit 1
         ) e on true
        where s.stream_name = s2.stream_name`,
    );
    await raw.query(
      `delete from es_streams where revision < 0 and stream_name like '${ANCHOR_STREAM_PREFIX}%'`,
    );
    const publicKey = await loadAnchorPublicKey(`${keyPrefix}.pub`);
    const report = await verifyAll(store, { published });
    expect(report.findings.map((f) => f.code)).toContain('PUBLISHED_ANCHOR_MISSING');

    const forged = published.map((root, i) => (i === 0 ? { ...root, merkleRoot: 'f'.repeat(64) } : root));
    const forgedFile = `${dir}-forged.jsonl`;
    await writeFile(forgedFile, forged.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const forgedReport = await verifyAll(store, {
      published: await readPublishedRoots(forgedFile),
      publicKey,
    });
    expect(forgedReport.findings.map((f) => f.code)).toContain('PUBLISHED_SIGNATURE_INVALID');

    await writeFile(forgedFile, `${(await readFile(rootsFile, 'utf8')).trimEnd()}\nnot json\n`);
    const bad = await runCli(
      ['audit', 'verify', '--against', forgedFile],
      { DATABASE_URL: connectionString, LOG_LEVEL: 'silent' },
      60_000,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 4 is not JSON/);
  });

  it('reports a stream whose last events were deleted while its head still names them', async () => {
    const stream = `tail-${randomUUID()}`;
    await store.append(stream, [note(1), note(2), note(3)]);
    await raw.query('delete from es_events where stream_name = $1 and revision = 2', [stream]);
    const report = await verifyAll(store);
    const finding = report.findings.find((f) => f.code === 'STREAM_HEAD_MISMATCH');
    expect(finding?.event).toMatchObject({ stream, revision: 1n });
    expect(finding?.message).toMatch(/records revision 2 .* last stored event is revision 1/);
  });
});

/** Rewrites one event's data, relinks its stream, and re-anchors from scratch. */
async function rewriteAndReanchor(raw: pg.Pool, stream: string, revision: bigint): Promise<void> {
  const client = await raw.connect();
  try {
    await client.query('begin');
    await client.query(
      `update es_events set data = data || '{"rewritten": true}'::jsonb where stream_name = $1 and revision = $2`,
      [stream, revision.toString()],
    );
    await relinkStream(client, stream);
    await client.query(`delete from es_events where stream_name like '${ANCHOR_STREAM_PREFIX}%'`);
    await client.query(`delete from es_streams where stream_name like '${ANCHOR_STREAM_PREFIX}%'`);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
