import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { DEFAULT_API_LIMITS } from '../../src/api/limits/api-limits.ts';
import { mediaStream } from '../../src/domain/media/streams.ts';
import { createLogger } from '../../src/logger.ts';
import { fieldOf } from '../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../api/support/identity-operations.ts';
import { openRawClient, type RawClient, type SlowClientApp, startSlowClientApp } from './hostile-slow-app.ts';

/**
 * Slow-loris clients against the API on a real port: connections that trickle their headers or a
 * body byte by byte are answered 408 and dropped once the server's deadline passes, other clients
 * are served meanwhile, and an upload trickled to death leaves nothing stored.
 */
const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;
/** Node checks the deadlines every connectionsCheckingInterval (here 375 ms); slack for a loaded machine. */
const SLACK_MS = 4_000;

const REQUEST_UPLOAD = `mutation ($kind: MediaKind!, $fileName: String!, $contentType: String!, $size: Float!) {
  requestUpload(kind: $kind, fileName: $fileName, contentType: $contentType, size: $size) { assetId uploadUrl } }`;
const MEDIA_STATUS = `query ($id: ID!) { media(id: $id) { status size sha256 } }`;
const MP4_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(116)]);

let api: SlowClientApp;
let owner: TestUser;
const clients: RawClient[] = [];

beforeAll(async () => {
  api = await startSlowClientApp({
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  owner = await registerAndSignIn(api, 'Loris Owner');
});
afterAll(async () => {
  for (const client of clients) client.stop();
  await api?.close();
});

async function raw(): Promise<RawClient> {
  const client = await openRawClient(api.port);
  clients.push(client);
  return client;
}

/** A well-behaved client over the real socket: a GraphQL query and the liveness probe. */
async function servedPromptly(): Promise<number> {
  const startedAt = Date.now();
  const graphql = await fetch(`${api.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ version }' }),
  });
  expect(graphql.status).toBe(200);
  expect(await graphql.json()).toEqual({ data: { version: 'test' } });
  const live = await fetch(`${api.origin}/health/live`);
  expect(live.status).toBe(200);
  await live.arrayBuffer();
  return Date.now() - startedAt;
}

async function requestVideoUpload(size: number) {
  const response = await api.gql(
    REQUEST_UPLOAD,
    { kind: 'VIDEO', fileName: 'loris.mp4', contentType: 'video/mp4', size },
    owner.accessToken,
  );
  return fieldOf<{ assetId: string; uploadUrl: string }>(response, 'requestUpload');
}

async function eventTypesOf(assetId: string): Promise<string[]> {
  const { rows } = await api.runtime.pool.query<{ type: string }>(
    'select type from es_events where stream_name = $1 order by position',
    [mediaStream(assetId)],
  );
  return rows.map((row) => row.type);
}

describe('slow-loris clients', () => {
  it('bounds how long the server waits for headers and for a whole request by default', async () => {
    const app = await buildApp({
      log: createLogger('silent'),
      version: 't',
      readinessChecks: {},
      graphiql: false,
    });
    try {
      // Fastify's own default requestTimeout is 0: a trickled body would hold its connection forever.
      expect(app.server.requestTimeout).toBe(DEFAULT_API_LIMITS.requestTimeoutMs);
      expect(app.server.requestTimeout).toBeGreaterThan(0);
      expect(app.server.headersTimeout).toBe(DEFAULT_API_LIMITS.headersTimeoutMs);
      expect(app.server.headersTimeout).toBeLessThanOrEqual(app.server.requestTimeout);
    } finally {
      await app.close();
    }
  });

  it('answers 408 and hangs up on clients trickling headers, serving others meanwhile', async () => {
    const loris = await Promise.all(Array.from({ length: 20 }, () => raw()));
    for (const client of loris) {
      client.socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      client.trickle('abcdefgh', 100);
    }
    // While the 20 connections hang on, ordinary requests go through without waiting for them.
    const latencies = [await servedPromptly(), await servedPromptly(), await servedPromptly()];
    expect(Math.max(...latencies)).toBeLessThan(HEADERS_TIMEOUT_MS);
    const closedAfter = await Promise.all(loris.map((client) => client.closed));
    for (const [index, client] of loris.entries()) {
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfter[index]).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(closedAfter[index]).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
      // The trickle was still going when the server hung up: it was cut off, not finished.
      expect(client.trickled()).toBeGreaterThan(5);
    }
    await servedPromptly();
  }, 30_000);

  it('hangs up on a connection that never sends a byte', async () => {
    const silent = await raw();
    const closedAfter = await silent.closed;
    expect(closedAfter).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    await servedPromptly();
  }, 30_000);

  it('cuts off an upload body trickled byte by byte and stores nothing of it', async () => {
    const size = 64 * 1024;
    const ticket = await requestVideoUpload(size);
    const loris = await raw();
    loris.socket.write(
      `PUT ${ticket.uploadUrl} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: video/mp4\r\nContent-Length: ${size}\r\n\r\n`,
    );
    // A valid MP4 head first, so the upload is admitted, sniffed and streaming into storage.
    loris.socket.write(MP4_HEAD);
    loris.trickle('\u0001', 20);
    await vi.waitFor(async () => expect((await api.storedFiles()).length).toBe(1), { timeout: 5_000 });
    const latencies = [await servedPromptly(), await servedPromptly()];
    expect(Math.max(...latencies)).toBeLessThan(REQUEST_TIMEOUT_MS);

    const closedAfter = await loris.closed;
    expect(loris.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfter).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(loris.trickled()).toBeLessThan(size);

    // The temporary object is removed and no MediaUploaded recorded: the asset still waits for bytes.
    await vi.waitFor(async () => expect(await api.storedFiles()).toEqual([]), { timeout: 5_000 });
    expect(await eventTypesOf(ticket.assetId)).toEqual(['MediaUploadRequested']);
    const media = await api.gql(MEDIA_STATUS, { id: ticket.assetId }, owner.accessToken);
    expect(fieldOf(media, 'media')).toEqual({ status: 'REQUESTED', size: null, sha256: null });

    // The same upload URL still takes a client that sends at a normal pace.
    const body = Buffer.concat([MP4_HEAD, Buffer.alloc(size - MP4_HEAD.length, 1)]);
    const upload = await fetch(`${api.origin}${ticket.uploadUrl}`, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4' },
      body,
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ assetId: ticket.assetId, size });
  }, 30_000);

  it('cuts off a GraphQL request body trickled byte by byte, without running it', async () => {
    const body = JSON.stringify({
      query: 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }',
      variables: { input: { displayName: 'Trickled' } },
    });
    const loris = await raw();
    loris.socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${owner.accessToken}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // Five bytes a second: the 300-byte body would take a minute.
    loris.trickle(body, 200);
    await servedPromptly();
    const closedAfter = await loris.closed;
    expect(loris.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfter).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    const me = await api.gql('{ me { displayName } }', {}, owner.accessToken);
    expect(fieldOf(me, 'me')).toEqual({ displayName: 'Loris Owner' });
  }, 30_000);
});
