import type { FastifyInstance } from 'fastify';

/** WebSocket close code 1001: the server is going away; clients reconnect (to another replica). */
const GOING_AWAY = 1001;

/**
 * `close()` waits for every open connection to end. Idle keep-alive connections are closed at once
 * (`forceCloseConnections: 'idle'`), but a connection whose request was in flight stays open after
 * its response, for Fastify's keep-alive timeout (72 s), and `close()` would wait that long.
 * Responses sent while closing carry `Connection: close`, so each such socket ends with its response
 * and `close()` resolves as soon as the last one is sent.
 *
 * Long-lived responses (SSE, WebSocket) never finish on their own: whoever serves them must end
 * them in a `preClose` hook. An `onClose` hook is too late, since Fastify runs those only after
 * the server has closed, i.e. after every connection has ended. WebSocket subscriptions are ended
 * here, with 1001: @fastify/websocket's own preClose (which runs after this one, being registered
 * later) would close them without a code (1005), which tells a client nothing.
 */
export function closeConnectionsOnShutdown(app: FastifyInstance): void {
  let closing = false;
  // Mercurius registers @fastify/websocket inside its own plugin, so its server is a decoration of
  // that plugin's instance, not of `app`: the instance serving an upgrade request is the way to it.
  let webSockets: FastifyInstance | undefined;
  app.addHook('onRequest', async (request) => {
    if (request.headers.upgrade) webSockets ??= request.server;
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of webSocketClients(webSockets)) socket.close(GOING_AWAY, 'server shutting down');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}

interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** The sockets of the WebSocket server Mercurius registers when subscriptions are on. */
function webSocketClients(instance: FastifyInstance | undefined): ClosableSocket[] {
  if (!instance?.hasDecorator('websocketServer')) return [];
  const server: unknown = instance.getDecorator('websocketServer');
  const clients: unknown =
    typeof server === 'object' && server !== null && 'clients' in server && server.clients;
  if (!(clients instanceof Set)) return [];
  return Array.from<unknown>(clients).filter(
    (client): client is ClosableSocket =>
      typeof client === 'object' &&
      client !== null &&
      'close' in client &&
      typeof client.close === 'function',
  );
}
