import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_SLOW_CONSUMER } from '../../../src/api/subscriptions/close-codes.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createApiKey, EVENTS } from './support/operations.ts';
import { publicEventsInStore } from './support/public-events.ts';
import { graphqlWsUrl } from './support/ws-client.ts';

const LIMIT = 20;
const STALL_MS = 300;
const metrics = new Registry();
let api: IdentityApp;
let url: string;
let integrator: string;
let author: TestUser;

beforeAll(async () => {
  api = await startIdentityApp({
    metrics,
    subscriptionLimits: { maxUndeliveredEvents: LIMIT, slowConsumerTimeoutMs: STALL_MS },
  });
  url = await graphqlWsUrl(api.app);
  author = await registerAndSignIn(api, 'Prolific');
  integrator = (await createApiKey(api, author.accessToken, ['EVENTS_READ'])).key;
});
afterAll(async () => {
  await api.close();
});

interface RawSubscription {
  /** The TCP socket under the WebSocket: pausing it stops reading, as a stuck client does. */
  tcp: Socket;
  positions: string[];
  close: Promise<{ code: number; reason: string }>;
}

/** A graphql-transport-ws client by hand, so the test can stop reading its socket. */
async function rawSubscription(after: string | undefined): Promise<RawSubscription> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const positions: string[] = [];
  const tcp = new Promise<Socket>((resolve) =>
    socket.once('upgrade', (response) => resolve(response.socket)),
  );
  const close = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const acked = new Promise<void>((resolve) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as {
        type: string;
        payload?: { data?: { events?: { position: string } } };
      };
      if (message.type === 'connection_ack') resolve();
      const position = message.payload?.data?.events?.position;
      if (message.type === 'next' && position) positions.push(position);
    });
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(
    JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${integrator}` } }),
  );
  await acked;
  socket.send(
    JSON.stringify({ id: '1', type: 'subscribe', payload: { query: EVENTS, variables: { after } } }),
  );
  return { tcp: await tcp, positions, close };
}

/** 50 profile changes with a large bio each (public events), appended straight to the store. */
async function appendLargeEvents(): Promise<void> {
  const { codec, store } = api.runtime;
  const bio = 'x'.repeat(64 * 1024);
  const events = await Promise.all(
    Array.from({ length: 50 }, () =>
      codec.encode(
        userEventCatalogue.UserProfileChanged,
        { type: 'UserProfileChanged', data: { userId: author.id, bio } },
        {
          commandId: randomUUID(),
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: 'system:test',
          occurredAt: new Date().toISOString(),
        },
        randomUUID(),
      ),
    ),
  );
  await store.append(`user-${author.id}`, events);
}

/** `chronicle_subscriptions_open`: the server's own count of the subscriptions it still serves. */
async function openSubscriptions(): Promise<number> {
  const gauge = await metrics.getSingleMetric('chronicle_subscriptions_open')?.get();
  return gauge?.values[0]?.value ?? Number.NaN;
}

describe('a consumer that stops reading', () => {
  it('is cut off with RATE_LIMITED/SLOW_CONSUMER and the position to resume after', async () => {
    const head = (await publicEventsInStore(api.runtime.store)).at(-1)?.[0];
    const consumer = await rawSubscription(head);
    while ((await openSubscriptions()) === 0) await sleep(10);
    consumer.tcp.pause();
    // Each burst is 3 MB: the socket buffers fill, the reader reaches the limit, the client takes nothing.
    for (let burst = 0; burst < 40 && (await openSubscriptions()) > 0; burst++) await appendLargeEvents();
    expect(await openSubscriptions()).toBe(0);

    consumer.tcp.resume();
    const close = await consumer.close;
    expect(close.code).toBe(CLOSE_SLOW_CONSUMER);
    const last = consumer.positions.at(-1);
    expect(close.reason).toBe(`RATE_LIMITED/SLOW_CONSUMER: resume with after=${last}`);
    // What arrived is a gapless prefix of the public events: resuming after `last` loses nothing.
    const expected = (await publicEventsInStore(api.runtime.store))
      .map(([position]) => position)
      .filter((position) => BigInt(position) > BigInt(head ?? '-1'));
    expect(consumer.positions).toEqual(expected.slice(0, consumer.positions.length));
    expect(consumer.positions.length).toBeLessThan(expected.length);
  });
});
