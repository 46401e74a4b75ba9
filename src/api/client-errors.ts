import { randomUUID } from 'node:crypto';
import { maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger } from 'fastify';
import type { ErrorCode } from '../domain/shared/domain-error.ts';
import { LINGER_MS } from './lingering-close.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

/** How a request Node's HTTP parser gave up on is answered. */
interface Refusal {
  statusCode: number;
  code: ErrorCode;
  reason: string;
  message: string;
}

function refusalFor(error: ConnectionError): Refusal {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        statusCode: 431,
        code: 'VALIDATION',
        reason: 'HEADERS_TOO_LARGE',
        message: `The request line and headers are larger than the ${maxHeaderSize} bytes accepted`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        statusCode: 413,
        code: 'VALIDATION',
        reason: 'CHUNK_EXTENSIONS_TOO_LARGE',
        message: 'The chunk extensions of the request body are too large',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        statusCode: 408,
        code: 'VALIDATION',
        reason: 'REQUEST_TIMEOUT',
        message: 'The request did not arrive in time',
      };
    default:
      return {
        statusCode: 400,
        code: 'VALIDATION',
        reason: 'MALFORMED_REQUEST',
        message: 'The request is not valid HTTP/1.1',
      };
  }
}

/**
 * Fastify's `clientErrorHandler`: answers what Node's HTTP server refuses before any route runs
 * (headers too large, a malformed request, a client too slow to send its request) with the JSON
 * error every other refusal has, instead of Node's and Fastify's own untyped bodies. The parser
 * gave up before the path was known, so the body is readable both as a REST error (`statusCode`,
 * `code`, `reason`, `message`) and as a GraphQL request error (`errors[].extensions`), and, like
 * every answer, it carries a request id (logged with the refusal).
 *
 * The connection ends with the answer. After a parse error the client may still be sending (a
 * header block far past the limit): it is read and dropped for a moment first (see
 * lingering-close.ts), so the client gets the answer rather than a reset. A client that ran out
 * of time has had its chance: its connection is destroyed as soon as the answer is written.
 */
export function answerUnreadableRequests(
  log: FastifyBaseLogger,
  lingerMs = LINGER_MS,
): (error: ConnectionError, socket: Socket) => void {
  // Node keeps parsing what arrives after a parse error and reports each chunk again.
  const answered = new WeakSet<Socket>();
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    // Part of a response already went out on this connection: another one would corrupt it.
    if (!socket.writable || responseInFlight(socket)?.headersSent) return void socket.destroy(error);
    const refusal = refusalFor(error);
    const requestId = randomUUID();
    // Never the error itself: Node puts the raw request bytes on it (`rawPacket`), credentials
    // included, and a client could fill the log with megabytes of its own choosing.
    log.info(
      { reqId: requestId, code: error.code, bytesParsed: error.bytesParsed, statusCode: refusal.statusCode },
      'refused an unreadable request',
    );
    const answer = Buffer.from(responseText(refusal, requestId), 'utf8');
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(answer, () => socket.destroy());
      return;
    }
    socket.end(answer);
    const deadline = setTimeout(() => socket.destroy(), lingerMs);
    socket.once('close', () => clearTimeout(deadline));
  };
}

function responseText(refusal: Refusal, requestId: string): string {
  const { statusCode, code, reason, message } = refusal;
  const body = JSON.stringify({
    statusCode,
    code,
    reason,
    message,
    requestId,
    errors: [{ message, extensions: { code, reason, requestId } }],
  });
  return [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** The response Node's server is writing on this connection, if any (the socket's `_httpMessage`). */
function responseInFlight(socket: Socket): Pick<ServerResponse, 'headersSent'> | undefined {
  const message: unknown = Reflect.get(socket, '_httpMessage');
  return isResponse(message) ? message : undefined;
}

function isResponse(value: unknown): value is Pick<ServerResponse, 'headersSent'> {
  return typeof value === 'object' && value !== null && 'headersSent' in value;
}
