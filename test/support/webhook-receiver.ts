import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A real HTTP server standing in for the systems webhook channels deliver to. Each route records
 * what arrived (raw body and headers, to verify signatures) and answers as the test scripts it:
 * a status (with a relative Location on 2xx), or `hold` to keep the request open until released
 * or until the sender hangs up.
 */
export interface ReceivedDelivery {
  route: string;
  event: string | undefined;
  signature: string | undefined;
  idempotencyKey: string | undefined;
  /** The raw body, exactly as signed. */
  body: string;
  json: unknown;
  /** The status answered; `held` while held open; `aborted` when the sender hung up first. */
  outcome: number | 'held' | 'aborted';
}

export type Reply = number | 'hold';
/** Decides the reply to the `attempt`-th delivery (0-based) of this route. */
export type Responder = (delivery: ReceivedDelivery, attempt: number) => Reply;

export const replies = {
  always:
    (status: number): Responder =>
    () =>
      status,
  /** The statuses in turn; the last one repeats. */
  sequence:
    (...statuses: Reply[]): Responder =>
    (_delivery, attempt) =>
      statuses[Math.min(attempt, statuses.length - 1)] ?? 201,
  /** By the delivery's `x-chronicle-event` (201 for others). */
  byEvent:
    (statuses: Record<string, Reply>): Responder =>
    (delivery) =>
      statuses[delivery.event ?? ''] ?? 201,
};

export interface WebhookRoute {
  readonly url: string;
  readonly deliveries: ReceivedDelivery[];
  respondWith(responder: Responder): void;
  /** Answers the requests held open now with `status`. */
  release(status?: number): void;
  /** Resolves once `count` deliveries arrived (all of them, in order). */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
}

export interface WebhookReceiver {
  readonly baseUrl: string;
  route(responder?: Responder): WebhookRoute;
  close(): Promise<void>;
}

interface RouteState extends WebhookRoute {
  responder: Responder;
  held: { delivery: ReceivedDelivery; response: ServerResponse }[];
  waiters: (() => void)[];
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const routes = new Map<string, RouteState>();
  const server = createServer((request, response) => {
    void receive(routes, request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the webhook receiver has no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    baseUrl,
    route(responder = replies.always(201)) {
      const name = randomUUID();
      const state: RouteState = {
        url: `${baseUrl}/hooks/${name}`,
        deliveries: [],
        responder,
        held: [],
        waiters: [],
        respondWith(next) {
          state.responder = next;
        },
        release(status = 201) {
          for (const { delivery, response } of state.held.splice(0)) answer(delivery, response, status);
        },
        waitForDeliveries(count, timeoutMs = 15_000) {
          return new Promise((resolve, reject) => {
            const check = () => {
              if (state.deliveries.length < count) return false;
              clearTimeout(timer);
              resolve(state.deliveries.slice(0, count));
              return true;
            };
            const timer = setTimeout(() => {
              reject(new Error(`expected ${count} deliveries, got ${state.deliveries.length}`));
            }, timeoutMs);
            if (!check()) state.waiters.push(() => void check());
          });
        },
      };
      routes.set(name, state);
      return state;
    },
    async close() {
      for (const route of routes.values()) route.release(503);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function receive(routes: Map<string, RouteState>, request: IncomingMessage, response: ServerResponse) {
  const name = /^\/hooks\/([^/]+)$/.exec(request.url ?? '')?.[1];
  const route = name ? routes.get(name) : undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  if (!route || request.method !== 'POST') {
    response.writeHead(404).end();
    return;
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const delivery: ReceivedDelivery = {
    route: route.url,
    event: header(request, 'x-chronicle-event'),
    signature: header(request, 'x-chronicle-signature'),
    idempotencyKey: header(request, 'idempotency-key'),
    body,
    json: parse(body),
    outcome: 'held',
  };
  const attempt = route.deliveries.length;
  route.deliveries.push(delivery);
  for (const waiter of route.waiters) waiter();
  const reply = route.responder(delivery, attempt);
  if (reply === 'hold') {
    route.held.push({ delivery, response });
    response.on('close', () => {
      if (!response.writableFinished) delivery.outcome = 'aborted';
    });
    return;
  }
  answer(delivery, response, reply);
}

function answer(delivery: ReceivedDelivery, response: ServerResponse, status: number) {
  if (response.destroyed) return;
  delivery.outcome = status;
  const location = status >= 200 && status < 300 ? { location: `/received/${delivery.idempotencyKey}` } : {};
  response.writeHead(status, { 'content-type': 'application/json', ...location });
  response.end(JSON.stringify({ ok: status < 300 }));
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
