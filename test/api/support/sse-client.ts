import type { IntegratorEvent } from '../../../src/api/events/integrator-events.ts';

export interface SseFrame {
  id?: string;
  event: string;
  data: string;
}

/** An open `GET /events` response, parsed as it arrives (what an EventSource would see). */
export interface SseStream {
  frames: SseFrame[];
  comments: string[];
  /** The integrator events received, in order (error frames excluded). */
  events(): IntegratorEvent[];
  /** Resolves once `predicate` holds for what has arrived; rejects after `timeoutMs`. */
  until(predicate: (stream: SseStream) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream (or the client closes it). */
  ended: Promise<void>;
  /** Disconnects, as a client that goes away. */
  close(): void;
}

export interface EventsRequest {
  token?: string;
  query?: Record<string, string>;
  lastEventId?: string;
}

export function eventsUrl(baseUrl: string, query: Record<string, string> = {}): string {
  const url = new URL('/events', baseUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.toString();
}

export async function requestEvents(baseUrl: string, request: EventsRequest, signal?: AbortSignal) {
  return fetch(eventsUrl(baseUrl, request.query), {
    headers: {
      accept: 'text/event-stream',
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      ...(request.lastEventId ? { 'last-event-id': request.lastEventId } : {}),
    },
    ...(signal ? { signal } : {}),
  });
}

export async function openEventStream(baseUrl: string, request: EventsRequest): Promise<SseStream> {
  const controller = new AbortController();
  const response = await requestEvents(baseUrl, request, controller.signal);
  if (response.status !== 200 || !response.body) {
    throw new Error(`expected an event stream, got ${response.status}: ${await response.text()}`);
  }
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const stream: SseStream = {
    frames,
    comments,
    events: () => frames.filter((f) => f.event !== 'error').map((f) => JSON.parse(f.data) as IntegratorEvent),
    until(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(stream)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${frames.length} frames: ${frames.at(-1)?.data ?? 'none'}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    ended: read(response.body, frames, comments, notify),
    close: () => controller.abort(),
  };
  return stream;
}

async function read(
  body: ReadableStream<Uint8Array>,
  frames: SseFrame[],
  comments: string[],
  notify: () => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        parseBlock(buffered.slice(0, end), frames, comments);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
      }
      notify();
    }
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  } finally {
    notify();
  }
}

export function parseBlock(block: string, frames: SseFrame[], comments: string[]): void {
  const frame: SseFrame = { event: 'message', data: '' };
  let isFrame = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data = frame.data ? `${frame.data}\n${value}` : value;
    else continue;
    isFrame = true;
  }
  if (isFrame) frames.push(frame);
}

/** The app's address once it listens on an ephemeral port. */
export function baseUrlOf(address: string | { port: number } | null): string {
  if (address === null || typeof address === 'string') throw new Error('the app is not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}
