import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server speaking enough of OpenAI's API for the provider's tests:
 * `POST /v1/chat/completions` answers with the next scripted reply (or the default one), in
 * OpenAI's response shape with usage, and every request is recorded. A request with `stream: true`
 * gets its reply as server-sent `chat.completion.chunk` events (a `json` reply's content in a few
 * pieces, usage in a last chunk when `stream_options.include_usage` is set, then `[DONE]`);
 * `{ kind: 'stream' }` scripts the pieces, their pace and a connection cut mid-reply.
 *
 *   const server = await startOpenAiTestServer();
 *   server.script({ kind: 'rate_limited', retryAfterSeconds: 1 }, { kind: 'json', content: {...} });
 *   new OpenAiProvider({ apiKey: 'test', baseUrl: server.baseUrl });
 */
export type ScriptedReply =
  /** 200 with `content` (stringified unless a string) as the assistant's message. */
  | {
      kind: 'json';
      content: unknown;
      usage?: Usage;
      model?: string;
      delayMs?: number;
      finishReason?: FinishReason;
    }
  /**
   * 200 with the content for the structured-output format the request named
   * (`response_format.json_schema.name`), as a model answering that schema; a request without a
   * strict JSON schema, or naming one not listed, gets a 400 as from a server that cannot answer it.
   */
  | { kind: 'structured'; byFormat: Readonly<Record<string, unknown>> }
  /** 200 whose message content is not JSON at all. */
  | { kind: 'invalid_json'; text?: string }
  /** 200 with a refusal instead of content. */
  | { kind: 'refusal'; refusal: string }
  /** 429, with a Retry-After header when `retryAfterSeconds` is given. */
  | { kind: 'rate_limited'; retryAfterSeconds?: number; code?: string }
  /** Any error status (500 unless told) with OpenAI's error body. */
  | { kind: 'error'; status?: number; message?: string }
  /** Sends the headers and the start of the body, then nothing more (until the client gives up). */
  | { kind: 'stalled_body' }
  /** Sends nothing for `delayMs`, then `then` (or a default reply). */
  | { kind: 'slow'; delayMs: number; then?: ScriptedReply }
  /**
   * 200 as server-sent events: one chunk per piece of `chunks`, `chunkDelayMs` apart; usage last
   * (when the request asked for it). `cutAfter` closes the connection after that many pieces,
   * without a finish reason or `[DONE]`.
   */
  | {
      kind: 'stream';
      chunks: string[];
      chunkDelayMs?: number;
      usage?: Usage;
      model?: string;
      finishReason?: FinishReason;
      cutAfter?: number;
    };

type FinishReason = 'stop' | 'length' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** Milliseconds since the server started, for checking waits between retries. */
  receivedAtMs: number;
}

export interface OpenAiTestServer {
  /** `http://127.0.0.1:<port>/v1`, for the SDK's `baseURL`. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queues replies for the next requests, in order; afterwards the default reply answers. */
  script(...replies: ScriptedReply[]): void;
  /** What answers once the script is used up (initially `{ kind: 'json', content: {} }`). */
  setDefault(reply: ScriptedReply): void;
  /** Forgets recorded requests and the rest of the script. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_USAGE: Usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
export const TEST_MODEL = 'gpt-test-2024-01-01';

export async function startOpenAiTestServer(): Promise<OpenAiTestServer> {
  const queue: ScriptedReply[] = [];
  let fallback: ScriptedReply = { kind: 'json', content: {} };
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const started = performance.now();
  let counter = 0;

  const later = (ms: number, response: ServerResponse, then: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) then();
    }, ms);
    timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const completion = (
    message: Record<string, unknown>,
    options: { usage?: Usage; model?: string; finishReason?: FinishReason },
  ) => ({
    id: `chatcmpl-test-${++counter}`,
    object: 'chat.completion',
    created: 1_732_350_000,
    model: options.model ?? TEST_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, ...message },
        logprobs: null,
        finish_reason: options.finishReason ?? 'stop',
      },
    ],
    usage: options.usage ?? DEFAULT_USAGE,
  });

  /** Pieces of a text as a model streams them: a few, split at word boundaries. */
  const piecesOf = (text: string): string[] => {
    const words = text.split(/(?<=\s)/);
    const size = Math.max(1, Math.ceil(words.length / 3));
    const pieces: string[] = [];
    for (let i = 0; i < words.length; i += size) pieces.push(words.slice(i, i + size).join(''));
    return pieces.length > 0 ? pieces : [''];
  };

  const chunk = (id: string, model: string, delta: Record<string, unknown>, finishReason: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created: 1_732_350_000,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });

  const streamReply = (
    response: ServerResponse,
    request: RecordedRequest,
    reply: Extract<ScriptedReply, { kind: 'stream' }>,
  ): void => {
    const id = `chatcmpl-test-${++counter}`;
    const model = reply.model ?? TEST_MODEL;
    const withUsage =
      isRecord(request.body) && isRecord(request.body.stream_options)
        ? request.body.stream_options.include_usage === true
        : false;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    event(chunk(id, model, { role: 'assistant', content: '' }, null));
    const step = (index: number): void => {
      if (reply.cutAfter !== undefined && index >= reply.cutAfter) {
        // After the pieces so far have reached the client (a cut before the headers would be a plain connection error).
        later(50, response, () => response.destroy());
        return;
      }
      const piece = reply.chunks[index];
      if (piece === undefined) {
        event(chunk(id, model, {}, reply.finishReason ?? 'stop'));
        if (withUsage)
          event({
            id,
            object: 'chat.completion.chunk',
            created: 1_732_350_000,
            model,
            choices: [],
            usage: reply.usage ?? DEFAULT_USAGE,
          });
        response.end('data: [DONE]\n\n');
        return;
      }
      event(chunk(id, model, { content: piece }, null));
      if (reply.chunkDelayMs) later(reply.chunkDelayMs, response, () => step(index + 1));
      else step(index + 1);
    };
    step(0);
  };

  const answer = (response: ServerResponse, reply: ScriptedReply, request?: RecordedRequest): void => {
    if (reply.kind === 'structured') {
      const format = request ? structuredOutputOf(request) : null;
      const content = format?.strict ? reply.byFormat[format.name] : undefined;
      const message = format
        ? `No scripted reply for the format ${format.name}`
        : 'No strict JSON schema asked for';
      answer(
        response,
        content === undefined ? { kind: 'error', status: 400, message } : { kind: 'json', content },
        request,
      );
      return;
    }
    const streaming = request !== undefined && isRecord(request.body) && request.body.stream === true;
    if (streaming && request) {
      if (reply.kind === 'stream') {
        streamReply(response, request, reply);
        return;
      }
      if (reply.kind === 'json') {
        const content = typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
        const streamed = {
          kind: 'stream' as const,
          chunks: piecesOf(content),
          ...(reply.usage ? { usage: reply.usage } : {}),
          ...(reply.model ? { model: reply.model } : {}),
          ...(reply.finishReason ? { finishReason: reply.finishReason } : {}),
        };
        if (reply.delayMs) later(reply.delayMs, response, () => streamReply(response, request, streamed));
        else streamReply(response, request, streamed);
        return;
      }
      if (reply.kind === 'refusal') {
        const id = `chatcmpl-test-${++counter}`;
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `data: ${JSON.stringify(chunk(id, TEST_MODEL, { refusal: reply.refusal }, null))}\n\n`,
        );
        response.write(`data: ${JSON.stringify(chunk(id, TEST_MODEL, {}, 'stop'))}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      if (reply.kind === 'slow') {
        later(reply.delayMs, response, () => answer(response, reply.then ?? fallback, request));
        return;
      }
    }
    switch (reply.kind) {
      case 'json': {
        const content = typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content);
        const ok = () => send(response, 200, completion({ content }, reply));
        if (reply.delayMs) later(reply.delayMs, response, ok);
        else ok();
        break;
      }
      case 'invalid_json':
        send(response, 200, completion({ content: reply.text ?? 'Sure! Here it is: {title: oops' }, {}));
        break;
      case 'refusal':
        send(response, 200, completion({ refusal: reply.refusal }, {}));
        break;
      case 'rate_limited': {
        const error = {
          message: 'Rate limit reached',
          type: 'requests',
          code: reply.code ?? 'rate_limit_exceeded',
        };
        const headers: Record<string, string> =
          reply.retryAfterSeconds === undefined ? {} : { 'retry-after': String(reply.retryAfterSeconds) };
        send(response, 429, { error: { ...error, param: null } }, headers);
        break;
      }
      case 'error':
        send(response, reply.status ?? 500, {
          error: {
            message: reply.message ?? 'The server had an error',
            type: 'server_error',
            code: null,
            param: null,
          },
        });
        break;
      case 'stalled_body':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"id": "chatcmpl-stalled", "object": "chat.completion", ');
        break;
      case 'slow':
        later(reply.delayMs, response, () => answer(response, reply.then ?? fallback));
        break;
      case 'stream':
        // Scripted for a request that did not ask to stream: the pieces as one reply.
        send(response, 200, completion({ content: reply.chunks.join('') }, reply));
        break;
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Recorded as text; the reply below is still scripted.
      }
      const path = request.url ?? '';
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path,
        headers: request.headers,
        body,
        receivedAtMs: performance.now() - started,
      };
      requests.push(recorded);
      if (request.method !== 'POST' || path !== '/v1/chat/completions') {
        send(response, 404, {
          error: { message: `No route ${request.method} ${path}`, type: 'invalid_request_error' },
        });
        return;
      }
      answer(response, queue.shift() ?? fallback, recorded);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('The test server has no TCP port');
  const { port } = address;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    setDefault: (reply) => {
      fallback = reply;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      fallback = { kind: 'json', content: {} };
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** The structured-output format a request asked for (`response_format: json_schema`), or null. */
export function structuredOutputOf(
  request: RecordedRequest,
): { name: string; strict: boolean; schema: Record<string, unknown> } | null {
  const format = isRecord(request.body) ? request.body.response_format : undefined;
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.json_schema)) return null;
  const { name, strict, schema } = format.json_schema;
  return typeof name === 'string' && isRecord(schema) ? { name, strict: strict === true, schema } : null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
