import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * How long a connection whose answer went out before its request body had all arrived is still
 * read from (the bytes dropped) before it is destroyed. Enough for the client to receive the
 * answer and stop sending; short enough that a client sending on regardless holds nothing long.
 */
export const LINGER_MS = 2_000;

/**
 * Answers sent while the client is still sending its body (413 or 415 on an upload, 413 on a
 * GraphQL body, any answer during shutdown) carry `Connection: close`, and Node then closes the
 * socket as soon as the answer is handed to the kernel. Closing a TCP socket with received bytes
 * nobody read makes the kernel send a reset, which also throws away whatever of the answer the
 * client had not read yet: the client sees EPIPE or ECONNRESET instead of the 413.
 *
 * So such a connection closes in stages (RFC 9112, section 9.6): the answer, then our FIN, then
 * the client's remaining bytes are read and dropped until it closes its side or `lingerMs`
 * passes, and only then is the socket destroyed.
 */
export function closeConnectionsGently(app: FastifyInstance, lingerMs = LINGER_MS): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) lingerIfClosed(request.raw, reply.raw, lingerMs);
    return payload;
  });
}

/**
 * Node's HTTP server ends a connection whose answer said `Connection: close` by calling the
 * socket's `destroySoon()` once the answer is written; for this one answer it lingers instead.
 * Answers that keep the connection open never call it, and the override goes with the answer.
 */
function lingerIfClosed(request: IncomingMessage, response: ServerResponse, lingerMs: number): void {
  const socket = request.socket;
  if (socket.destroyed || Object.hasOwn(socket, 'destroySoon')) return;
  socket.destroySoon = () => lingeringClose(socket, request, lingerMs);
  response.once('close', () => Reflect.deleteProperty(socket, 'destroySoon'));
}

function lingeringClose(socket: Socket, request: IncomingMessage, lingerMs: number): void {
  // After the answer, so the client reads it to its end and then learns nothing else comes.
  socket.end();
  // Read on and drop: the parser hands the rest of the body to the request, which now flows
  // nowhere. Whoever was reading it has given up, but may have left a listener behind (a refused
  // upload's stream iterator is only cleaned up at its next chunk), and while any 'readable'
  // listener remains the request does not flow: it would fill up and stop the socket being read.
  request.removeAllListeners('readable');
  request.removeAllListeners('data');
  request.resume();
  const deadline = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(deadline));
}
