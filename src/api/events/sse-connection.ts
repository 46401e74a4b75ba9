import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

export interface SseLimits {
  /** Comment lines sent this often keep proxies and load balancers from closing an idle stream. */
  heartbeatMs: number;
  /** Events written while the socket is still full from earlier writes before the consumer is cut off. */
  maxPendingEvents: number;
  /** How long to wait for a full socket to drain before writing the next event anyway (and counting it). */
  congestionPauseMs: number;
  /** After the last write, how long a consumer gets to read it before its socket is destroyed. */
  closeGraceMs: number;
}

export interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

/**
 * One Server-Sent Events response with bounded buffering. A consumer that reads slower than events
 * come is given time (each write first waits up to `congestionPauseMs` for the socket to drain),
 * so a slow but steady reader keeps up through a long catch-up; one that stops reading
 * accumulates at most `maxPendingEvents` events in memory before it is told SLOW_CONSUMER and
 * closed. `signal` aborts when the client goes away or the stream ends, whichever comes first.
 */
export class SseConnection {
  readonly #raw: ServerResponse;
  readonly #limits: SseLimits;
  readonly #done = new AbortController();
  readonly #closed: Promise<void>;
  #pending = 0;
  #endReason: string | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(raw: ServerResponse, limits: SseLimits) {
    this.#raw = raw;
    this.#limits = limits;
    this.#closed = new Promise((resolve) => raw.once('close', () => resolve()));
    raw.once('close', () => this.#finish());
  }

  get signal(): AbortSignal {
    return this.#done.signal;
  }

  /** Why the server ended the stream (the error frame's reason), for the log; undefined otherwise. */
  get endReason(): string | undefined {
    return this.#endReason;
  }

  /** Sends the headers at once, so the client knows it is subscribed before the first event. */
  open(headers: Record<string, string | number | string[]>, onHeartbeat?: () => void): void {
    this.#raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The stream is the connection's last response: ending it frees the socket at once (shutdown).
      connection: 'close',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    this.#raw.write(': connected\n\n');
    this.#heartbeat = setInterval(() => {
      if (this.signal.aborted) return;
      // A full socket needs no keep-alive, and the comment would only add to what is pending.
      if (!this.#raw.writableNeedDrain) this.#raw.write(': keep-alive\n\n');
      onHeartbeat?.();
    }, this.#limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** False when the event was not sent: the stream has ended, or the consumer was too slow and is now cut off. */
  async send(event: SseEvent): Promise<boolean> {
    if (this.#raw.writableNeedDrain) await this.#drainOrPause();
    if (this.signal.aborted) return false;
    if (this.#raw.writableNeedDrain) {
      this.#pending += 1;
      if (this.#pending > this.#limits.maxPendingEvents) {
        await this.end({
          code: 'RATE_LIMITED',
          reason: 'SLOW_CONSUMER',
          message: `More than ${this.#limits.maxPendingEvents} events waited for this client to read; reconnect to resume`,
        });
        return false;
      }
    } else {
      this.#pending = 0;
    }
    this.#raw.write(frame(event));
    return true;
  }

  /**
   * Ends the stream, with a final `event: error` frame when given (no `id`, so Last-Event-ID stays
   * on the last event delivered). Resolves once the client has the last byte, or after
   * `closeGraceMs` when it does not read it (the socket is then destroyed).
   */
  async end(error?: Record<string, unknown>): Promise<void> {
    if (!this.signal.aborted) {
      this.#finish();
      const reason = error?.reason;
      if (typeof reason === 'string') this.#endReason = reason;
      if (error) this.#raw.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
      this.#raw.end();
    }
    const grace = setTimeout(() => this.#raw.destroy(), this.#limits.closeGraceMs);
    grace.unref();
    await this.#closed;
    clearTimeout(grace);
  }

  #finish(): void {
    clearInterval(this.#heartbeat);
    this.#done.abort();
  }

  async #drainOrPause(): Promise<void> {
    const wait = AbortSignal.any([this.signal, AbortSignal.timeout(this.#limits.congestionPauseMs)]);
    await once(this.#raw, 'drain', { signal: wait }).catch(() => undefined);
  }
}

function frame({ id, event, data }: SseEvent): string {
  // JSON.stringify escapes line breaks, so the payload is always a single `data:` line.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
