import { connect } from 'node:net';

/** What a raw client saw: the server's bytes, and how its own sending ended. */
export interface RawOutcome {
  /** Everything the server sent, as latin1 text. */
  received: string;
  /** Body bytes the socket accepted before the client stopped (finished, or the server hung up). */
  bodyBytesSent: number;
  /** The error that ended the client's writing or reading (`EPIPE`, `ECONNRESET`), if any. */
  socketError: string | undefined;
}

export interface RawBody {
  bytes: number;
  /** `Transfer-Encoding: chunked` framing (the head must say so). */
  chunked: boolean;
  /** The body's first bytes (e.g. a file signature); the rest are filler. */
  first: Buffer;
}

/**
 * A stubborn client over a raw TCP socket: it sends `head` (request line and headers, or more),
 * then `body` as fast as the socket takes it, without ever looking at what the server answers
 * meanwhile, and then reads until the server closes. This is what curl or a proxy does with a big
 * PUT, and the case where a server that hangs up with unread bytes resets the connection and the
 * answer is lost. With `keepOpen` it does not close its side after sending, and waits.
 */
export function stubbornRequest(
  port: number,
  head: string,
  body?: RawBody,
  options: { keepOpen?: boolean } = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let sent = 0;
    let socketError: string | undefined;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError ??= error.code ?? error.message;
    });
    socket.on('close', () =>
      resolve({ received: Buffer.concat(chunks).toString('latin1'), bodyBytesSent: sent, socketError }),
    );
    const piece = 64 * 1024;
    const frame = (payload: Buffer) =>
      body?.chunked
        ? Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')])
        : payload;
    const pump = () => {
      while (body && sent < body.bytes && !socket.destroyed) {
        const size = Math.min(piece, body.bytes - sent);
        const payload =
          sent === 0
            ? Buffer.concat([body.first, Buffer.alloc(Math.max(0, size - body.first.length), 1)])
            : Buffer.alloc(size, 1);
        sent += payload.length;
        if (!socket.write(frame(payload))) return void socket.once('drain', pump);
      }
      if (socket.destroyed) return;
      if (body?.chunked) socket.write('0\r\n\r\n');
      if (!options.keepOpen) socket.end();
    };
    socket.once('connect', () => {
      socket.write(head, 'latin1');
      pump();
    });
  });
}

/** The status code, lower-cased headers and body of the first HTTP response in `raw`. */
export function parseResponse(raw: string): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '' };
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? Number.NaN);
  const rest = raw.slice(end + 4);
  return {
    status: Number(statusLine.split(' ')[1] ?? 0),
    headers,
    body: Number.isFinite(length) ? rest.slice(0, length) : rest,
  };
}
