import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks the part of Daily.co's REST API the adapter uses (see
 * src/video-rooms/daily-provider.ts): `POST /v1/rooms`, `GET /v1/rooms/:name`,
 * `DELETE /v1/rooms/:name`, with Bearer authentication, 400 `invalid-request-error` for bad bodies
 * and for a name already taken, 404 `not-found`. Tests can make it fail or stall the next requests.
 */
export interface DailyRoom {
  id: string;
  name: string;
  privacy: string;
  url: string;
  created_at: string;
  config: { nbf?: number; exp?: number };
}

export interface DailyRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export type DailyFault = { kind: 'status'; status: number } | { kind: 'stall' };

export interface DailyTestServer {
  /** The API base URL, as DAILY_API_URL takes it. */
  baseUrl: string;
  apiKey: string;
  rooms: Map<string, DailyRoom>;
  requests: DailyRequest[];
  /** The next requests fail this way, one fault per request. */
  failNext(...faults: DailyFault[]): void;
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_-]{1,128}$/;

export async function startDailyTestServer(apiKey = 'daily-test-key'): Promise<DailyTestServer> {
  const rooms = new Map<string, DailyRoom>();
  const requests: DailyRequest[] = [];
  const faults: DailyFault[] = [];
  const stalled = new Set<ServerResponse>();
  let nextId = 1;

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const invalid = (response: ServerResponse, info: string) =>
    send(response, 400, { error: 'invalid-request-error', info });

  function handle(request: IncomingMessage, response: ServerResponse, body: unknown) {
    const path = request.url ?? '';
    const fault = faults.shift();
    if (fault?.kind === 'stall') {
      stalled.add(response);
      return;
    }
    if (fault?.kind === 'status') {
      send(response, fault.status, { error: 'server-error', info: 'scripted failure' });
      return;
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      send(response, 401, { error: 'authentication-error', info: 'bad API key' });
      return;
    }
    const roomPath = /^\/v1\/rooms\/([^/]+)$/.exec(path);
    if (request.method === 'POST' && path === '/v1/rooms') return createRoom(response, body);
    if (roomPath && request.method === 'GET') {
      const room = rooms.get(decodeURIComponent(roomPath[1] ?? ''));
      if (!room) return send(response, 404, { error: 'not-found', info: 'room not found' });
      return send(response, 200, room);
    }
    if (roomPath && request.method === 'DELETE') {
      const name = decodeURIComponent(roomPath[1] ?? '');
      if (!rooms.delete(name)) return send(response, 404, { error: 'not-found', info: 'room not found' });
      return send(response, 200, { deleted: true, name });
    }
    send(response, 404, { error: 'not-found', info: `no route ${request.method} ${path}` });
  }

  function createRoom(response: ServerResponse, body: unknown) {
    if (typeof body !== 'object' || body === null) return invalid(response, 'body must be a JSON object');
    const { name, privacy, properties } = body as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) return invalid(response, 'name is invalid');
    if (privacy !== undefined && privacy !== 'private' && privacy !== 'public') {
      return invalid(response, 'privacy must be public or private');
    }
    const props = (properties ?? {}) as Record<string, unknown>;
    for (const key of ['nbf', 'exp']) {
      const value = props[key];
      if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value))) {
        return invalid(response, `properties.${key} must be a Unix timestamp in seconds`);
      }
    }
    if (rooms.has(name)) return invalid(response, `a room named ${name} already exists`);
    const room: DailyRoom = {
      id: `room-${nextId++}`,
      name,
      privacy: typeof privacy === 'string' ? privacy : 'public',
      url: `https://chronicle-test.daily.co/${name}`,
      created_at: new Date().toISOString(),
      config: {
        ...(typeof props.nbf === 'number' ? { nbf: props.nbf } : {}),
        ...(typeof props.exp === 'number' ? { exp: props.exp } : {}),
      },
    };
    rooms.set(name, room);
    send(response, 200, room);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        requests.push({
          method: request.method ?? '',
          path: request.url ?? '',
          authorization: request.headers.authorization,
          body: text,
        });
        invalid(response, 'body is not JSON');
        return;
      }
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        authorization: request.headers.authorization,
        body,
      });
      handle(request, response, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('The Daily test server has no port');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    apiKey,
    rooms,
    requests,
    failNext: (...next) => {
      faults.push(...next);
    },
    async close() {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
