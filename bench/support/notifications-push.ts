import http from 'node:http';
import webpush from 'web-push';
import type { VapidKeys } from '../../src/notifications/push/vapid-keys.ts';

/** A subscription as the push service handed it out, and the payload a push carried to it. */
export interface PlainPush {
  subscription: { endpoint: string; p256dh: string; auth: string };
  payload: unknown;
}

/** A push ready to go: encrypted to its subscription, the VAPID JWT signed. */
interface PreparedPush {
  endpoint: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** What `web-push` makes of one push (the same library the push sender uses). */
function prepare(push: PlainPush, vapid: VapidKeys): PreparedPush {
  const { subscription, payload } = push;
  const request = webpush.generateRequestDetails(
    { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    JSON.stringify(payload),
    {
      vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      contentEncoding: 'aes128gcm',
      TTL: 24 * 3600,
    },
  );
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => [name, String(value)]),
  );
  const body = request.body ?? new Uint8Array();
  return { endpoint: request.endpoint, headers, body: typeof body === 'string' ? Buffer.from(body) : body };
}

/**
 * One POST over node:http (as the push sender's guarded client sends), through `agent`: each
 * measurement gets a fresh keep-alive agent, so no socket the push service closed while idle
 * between measurements is picked up again.
 */
function post(agent: http.Agent, push: PreparedPush): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      push.endpoint,
      { method: 'POST', headers: { ...push.headers, 'content-length': String(push.body.length) }, agent },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(push.body);
  });
}

/** Runs `send` with a keep-alive agent of `concurrency` sockets, closed afterwards. */
async function withAgent<T>(concurrency: number, send: (agent: http.Agent) => Promise<T>): Promise<T> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    return await send(agent);
  } finally {
    agent.destroy();
  }
}

/** Runs `work` over `items`, `concurrency` at once; the statuses answered, counted. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<number>) {
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        const status = await work(items[i] as T);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

/**
 * The baseline for the delivery saga's pushes: a plain loop, `concurrency` at once, each push
 * encrypted and signed by `web-push` and sent over node:http. No database, no claim or settlement, no
 * workflow, no outbound policy: what remains is what any Web Push sender pays. (`sendNotification`
 * itself speaks only https; the local push service is plain http.) Resolves with the statuses it
 * was answered.
 */
export function sendPlainPushes(pushes: readonly PlainPush[], vapid: VapidKeys, concurrency: number) {
  return withAgent(concurrency, (agent) =>
    inParallel(pushes, concurrency, (push) => post(agent, prepare(push, vapid))),
  );
}

/**
 * The two halves of a push apart, on a sample: encrypting and signing (the sender's CPU) and
 * posting what was prepared beforehand (the push service's receive path — verifying the JWT and
 * decrypting — plus loopback HTTP). Milliseconds each, and the statuses of the posts.
 */
export async function timePushHalves(pushes: readonly PlainPush[], vapid: VapidKeys, concurrency: number) {
  let started = performance.now();
  const prepared = pushes.map((push) => prepare(push, vapid));
  const encryptMs = performance.now() - started;
  started = performance.now();
  const statuses = await withAgent(concurrency, (agent) =>
    inParallel(prepared, concurrency, (push) => post(agent, push)),
  );
  return { encryptMs, receiveMs: performance.now() - started, statuses };
}
