import type { FastifyInstance, FastifyRequest } from 'fastify';
import type WebSocket from 'ws';
import { parseIpAddress } from '../../net/internal-address.ts';
import { RejectedRequest } from '../rejected-request.ts';
import { CLOSE_UNAUTHORIZED } from './close-codes.ts';
import type { SubscriptionLimits } from './subscription-limits.ts';

/** What @fastify/websocket calls with each upgraded socket (Mercurius's route declares one). */
type WsHandler = (this: unknown, socket: WebSocket, request: FastifyRequest) => unknown;

/** graphql-ws: the server gave up waiting for `connection_init`. */
export const CLOSE_INIT_TIMEOUT = 4408;

/**
 * Guards each WebSocket before it has credentials, which Mercurius does not: sockets per IP address
 * are capped at the upgrade (429 `RATE_LIMITED/TOO_MANY_CONNECTIONS`, and the socket ends), a socket that sends no
 * `connection_init` in time is closed with 4408, and a `subscribe` before it with 4401, as the
 * graphql-transport-ws protocol says (Mercurius would answer it with an error message instead).
 * Call before Mercurius is registered, so its route is seen being added.
 */
export function guardSockets(
  app: FastifyInstance,
  path: string,
  limits: Pick<SubscriptionLimits, 'connectionInitTimeoutMs' | 'maxSocketsPerAddress'>,
): void {
  const perAddress = new Map<string, number>();
  const isUpgrade = (request: FastifyRequest) =>
    request.headers.upgrade?.toLowerCase() === 'websocket' && request.routeOptions.url === path;
  app.addHook('onRequest', async (request) => {
    if (!isUpgrade(request)) return;
    const address = addressGroup(request.ip);
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxSocketsPerAddress) {
      throw new RejectedRequest(
        429,
        'RATE_LIMITED',
        'TOO_MANY_CONNECTIONS',
        `At most ${limits.maxSocketsPerAddress} WebSocket connections per address`,
        { limit: limits.maxSocketsPerAddress },
      );
    }
    perAddress.set(address, open + 1);
    request.raw.socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  // An upgrade answered over HTTP (refused here or by the rate limit, before @fastify/websocket took
  // it) holds a socket nothing else ends: it would stay open, and hold up the server's close.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isUpgrade(request)) return payload;
    reply.header('connection', 'close');
    reply.raw.once('finish', () => request.raw.socket.end());
    return payload;
  });

  // Mercurius's WebSocket server lives inside its own plugin; its route's `wsHandler` is where each
  // socket is handed over, so it is wrapped: this code sees the socket (and its messages) first.
  app.addHook('onRoute', (route: { url: string; wsHandler?: WsHandler }) => {
    const handler = route.wsHandler;
    if (route.url !== path || typeof handler !== 'function') return;
    route.wsHandler = function guarded(this: unknown, socket, request) {
      watchInit(socket);
      return handler.call(this, socket, request);
    };
  });
  const watchInit = (socket: WebSocket): void => {
    const timer = setTimeout(
      () => socket.close(CLOSE_INIT_TIMEOUT, 'Connection initialisation timeout'),
      limits.connectionInitTimeoutMs,
    );
    const beforeInit = (data: WebSocket.RawData): void => {
      const type = messageType(data);
      if (type === 'connection_init') {
        clearTimeout(timer);
        socket.off('message', beforeInit);
      } else if (type === 'subscribe') {
        clearTimeout(timer);
        socket.off('message', beforeInit);
        socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized');
      }
    };
    socket.on('message', beforeInit);
    socket.once('close', () => clearTimeout(timer));
  };
}

function messageType(data: WebSocket.RawData): unknown {
  try {
    const message: unknown = JSON.parse(data.toString());
    return typeof message === 'object' && message !== null && 'type' in message ? message.type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the per-address cap counts: an IPv4 address, or an IPv6 /64 (one subscriber's usual
 * allocation, whose addresses a client can rotate through at will). An IPv4-mapped address counts
 * as its IPv4 address.
 */
export function addressGroup(ip: string): string {
  const parsed = parseIpAddress(ip);
  if (!parsed) return ip;
  if (parsed.family === 4) return parsed.bytes.join('.');
  const { bytes } = parsed;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const hextets = [0, 2, 4, 6].map((i) => (((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `${hextets.join(':')}::/64`;
}
