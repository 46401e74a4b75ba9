import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import { baseUrlOf, eventsUrl, openEventStream, parseBlock, type SseFrame } from '../support/sse-client.ts';
import { createApiKey } from './support.ts';

/**
 * Enough history (24 MB) to fill many times over the socket buffers of a client that does not
 * read, even where the kernel's buffers are set large.
 */
const HISTORY = 6_000;
const BIO = 'x'.repeat(4_000);
const MAX_PENDING = 20;

describe('GET /events with a consumer slower than the events', () => {
  let api: IdentityApp;
  let baseUrl: string;
  let key: string;
  // The stalled client connects over a Unix socket: its buffers are fixed (net.core.wmem_default, about
  // 200 KB), where loopback TCP auto-tunes its receive buffer up to tcp_rmem's maximum (32 MB on some
  // machines), which can swallow the whole history and leave the server nothing to cut off.
  const socketPath = join(tmpdir(), `chronicle-slow-consumer-${process.pid}.sock`);
  const unixServer = net.createServer((socket) => api.app.server.emit('connection', socket));
  beforeAll(async () => {
    api = await startIdentityApp({
      eventStreamLimits: { maxPendingEvents: MAX_PENDING, congestionPauseMs: 50, closeGraceMs: 10_000 },
    });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = baseUrlOf(api.app.server.address());
    await new Promise<void>((resolve) => unixServer.listen(socketPath, resolve));
    const owner = await registerAndSignIn(api);
    key = (await createApiKey(api, owner.accessToken, ['EVENTS_READ'])).key;
    await appendProfileChanges(api, HISTORY);
  });
  afterAll(async () => {
    await new Promise((resolve) => unixServer.close(resolve));
    await api?.close();
  });

  it('cuts off a client that stops reading with RATE_LIMITED/SLOW_CONSUMER instead of buffering', async () => {
    const serverSide = new Promise<http.ServerResponse>((resolve) =>
      api.app.server.once('request', (_request: http.IncomingMessage, response: http.ServerResponse) =>
        resolve(response),
      ),
    );
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const { pathname, search } = new URL(eventsUrl(baseUrl));
      http
        .get(
          { socketPath, path: `${pathname}${search}`, headers: { authorization: `Bearer ${key}` } },
          resolve,
        )
        .on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    // Not reading: the socket fills, then at most MAX_PENDING more events wait before the cut-off.
    const sent = await serverSide;
    // Generous: on a loaded 2-core machine the catch-up read alone can take a while.
    await until(() => sent.writableEnded, 60_000);
    response.setEncoding('utf8');
    let text = '';
    response.on('data', (chunk: string) => {
      text += chunk;
    });
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));

    const frames: SseFrame[] = [];
    for (const block of text.split('\n\n')) parseBlock(block, frames, []);
    const last = frames.at(-1);
    expect(last?.event).toBe('error');
    expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ code: 'RATE_LIMITED', reason: 'SLOW_CONSUMER' });
    const delivered = frames.filter((f) => f.event !== 'error');
    expect(delivered.length).toBeGreaterThan(MAX_PENDING);
    expect(delivered.length).toBeLessThan(HISTORY);
    // What did arrive is a clean prefix: resuming from its last id loses nothing.
    const ids = delivered.map((f) => BigInt(f.id ?? '-1'));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
  }, 90_000);

  it('keeps a client that reads steadily through the whole catch-up', async () => {
    const events = await openEventStream(baseUrl, { token: key, query: { types: 'UserProfileChanged' } });
    try {
      await events.until((s) => s.frames.length >= HISTORY, 90_000);
      expect(events.frames.every((f) => f.event === 'UserProfileChanged')).toBe(true);
    } finally {
      events.close();
    }
  }, 120_000);
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Public events written straight to the store, large ones, so a few thousand fill the socket buffers. */
async function appendProfileChanges(api: IdentityApp, count: number): Promise<void> {
  const { store, codec } = api.runtime;
  const definition = userEventCatalogue.UserProfileChanged;
  const perStream = 500;
  for (let offset = 0; offset < count; offset += perStream) {
    const userId = randomUUID();
    const commandId = randomUUID();
    const metadata = {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: 'system:test',
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    const events = await Promise.all(
      Array.from({ length: Math.min(perStream, count - offset) }, () =>
        codec.encode(
          definition,
          { type: 'UserProfileChanged', data: { userId, bio: BIO } },
          metadata,
          randomUUID(),
        ),
      ),
    );
    await store.append(`user-${userId}`, events);
  }
}
