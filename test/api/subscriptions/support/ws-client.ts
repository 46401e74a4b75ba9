import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Listens on a free port (once) and returns the WebSocket address of `/graphql`. */
export async function graphqlWsUrl(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}/graphql`;
}

export interface Close {
  code: number;
  reason: string;
}

export interface TestClient {
  client: Client;
  /** Every close of the socket the client saw, in order. */
  closes: Close[];
  /** Resolves with the next close of the socket. */
  closed(): Promise<Close>;
  dispose(): Promise<void>;
}

/** A real graphql-ws client that authenticates with `token` (never retries: tests see every close). */
export function connect(url: string, token: string | undefined): TestClient {
  const closes: Close[] = [];
  let waiters: ((close: Close) => void)[] = [];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        const close = closeOf(event);
        closes.push(close);
        const current = waiters;
        waiters = [];
        for (const wake of current) wake(close);
      },
    },
  });
  return {
    client,
    closes,
    closed: () => new Promise((resolve) => waiters.push(resolve)),
    dispose: async () => {
      await client.dispose();
    },
  };
}

export function closeOf(event: unknown): Close {
  if (typeof event === 'object' && event !== null && 'code' in event && 'reason' in event) {
    return { code: Number(event.code), reason: String(event.reason) };
  }
  throw new Error(`not a close event: ${String(event)}`);
}

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; reason?: string } & Record<string, unknown>;
}

/** How one subscription ended: completed by the server, an error message, or its socket closing. */
export type Ending =
  | { kind: 'complete' }
  | { kind: 'errors'; errors: GraphQLErrorShape[] }
  | { kind: 'closed'; close: Close };

export interface TestSubscription<T> {
  values: T[];
  /** Resolves once `count` values have arrived (rejects if the subscription ends first). */
  received(count: number): Promise<T[]>;
  ended: Promise<Ending>;
  unsubscribe(): void;
}

/** Subscribes and records what arrives; `field` is the subscription field whose values are kept. */
export function subscribe<T>(
  test: TestClient,
  field: string,
  query: string,
  variables: Record<string, unknown> = {},
): TestSubscription<T> {
  const values: T[] = [];
  let waiters: (() => void)[] = [];
  let ending: Ending | undefined;
  let settle: (ending: Ending) => void = () => {};
  const ended = new Promise<Ending>((resolve) => {
    settle = resolve;
  });
  const wake = () => {
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  };
  const end = (result: Ending) => {
    ending ??= result;
    settle(result);
    wake();
  };
  const unsubscribe = test.client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) return end({ kind: 'errors', errors: [...result.errors] });
        const value = result.data?.[field];
        if (value !== undefined) values.push(value);
        wake();
      },
      error: (error) => {
        if (Array.isArray(error)) end({ kind: 'errors', errors: error.map(errorShape) });
        else end({ kind: 'closed', close: closeOf(error) });
      },
      complete: () => end({ kind: 'complete' }),
    },
  );
  return {
    values,
    ended,
    unsubscribe,
    async received(count) {
      while (values.length < count) {
        if (ending)
          throw new Error(`subscription ended (${JSON.stringify(ending)}) after ${values.length} values`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return values.slice(0, count);
    },
  };
}

function errorShape(error: unknown): GraphQLErrorShape {
  if (typeof error !== 'object' || error === null || !('message' in error)) return { message: String(error) };
  const extensions =
    'extensions' in error && typeof error.extensions === 'object' ? error.extensions : undefined;
  return { message: String(error.message), ...(extensions ? { extensions } : {}) } as GraphQLErrorShape;
}
