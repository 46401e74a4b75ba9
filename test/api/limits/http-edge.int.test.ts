import { maxHeaderSize } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { parseResponse, type RawOutcome, stubbornRequest } from '../support/raw-http-client.ts';

/**
 * The HTTP edge over a real socket: what Node's HTTP parser refuses before any route runs (headers
 * too large, a request that is not HTTP, headers that never finish) is answered with the API's
 * JSON error, and a refusal sent while the client is still sending reaches it instead of a reset.
 */
const HEADERS_TIMEOUT_MS = 500;
const TRIES = 5;

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = await buildApp({
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    version: 'test',
    readinessChecks: {},
    graphiql: false,
    limits: { headersTimeoutMs: HEADERS_TIMEOUT_MS },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app?.close();
});

/** The refusal came whole, as JSON readable both as a REST error and as a GraphQL request error. */
function expectTypedRefusal(outcome: RawOutcome, statusCode: number, reason: string) {
  const response = parseResponse(outcome.received);
  expect({ status: response.status, socketError: outcome.socketError }).toEqual({
    status: statusCode,
    socketError: undefined,
  });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers.connection).toBe('close');
  const requestId = response.headers['x-request-id'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const body = JSON.parse(response.body);
  expect(body).toEqual({
    statusCode,
    code: 'VALIDATION',
    reason,
    message: expect.any(String),
    requestId,
    errors: [{ message: body.message, extensions: { code: 'VALIDATION', reason, requestId } }],
  });
}

const GRAPHQL_HEAD = 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n';

describe('requests the HTTP parser refuses', () => {
  it('answers headers past the limit with a typed 431, even while the client is still sending them', async () => {
    for (let attempt = 0; attempt < TRIES; attempt++) {
      // 512 times the limit (8 MiB), more than socket buffers hold: the parser gives up long
      // before the client has sent them all, and closing then would reset the connection.
      const huge = `X-Padding: ${'a'.repeat(512 * maxHeaderSize)}\r\n`;
      const outcome = await stubbornRequest(
        port,
        `${GRAPHQL_HEAD}${huge}Content-Length: 17\r\n\r\n{"query":"{ x }"}`,
      );
      expectTypedRefusal(outcome, 431, 'HEADERS_TOO_LARGE');
    }
  });

  it('serves headers just within the limit', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padding': 'a'.repeat(maxHeaderSize / 2) },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { version: 'test' } });
  });

  it('answers a request that is not HTTP with a typed 400', async () => {
    const outcome = await stubbornRequest(port, 'HELLO THERE\r\n\r\n');
    expectTypedRefusal(outcome, 400, 'MALFORMED_REQUEST');
  });

  it('answers headers that never finish with a typed 408 once their time is up', async () => {
    const startedAt = Date.now();
    // The head is sent without its blank line, and the client then waits without closing.
    const outcome = await stubbornRequest(port, `${GRAPHQL_HEAD}X-Waiting: yes\r\n`, undefined, {
      keepOpen: true,
    });
    expectTypedRefusal(outcome, 408, 'REQUEST_TIMEOUT');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
  });
});

describe('a GraphQL body refused while it is still coming', () => {
  it('answers 413 to a client sending far more than the body limit, every time', async () => {
    const bytes = 8 * 1024 * 1024;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const outcome = await stubbornRequest(port, `${GRAPHQL_HEAD}Content-Length: ${bytes}\r\n\r\n`, {
        bytes,
        chunked: false,
        first: Buffer.from('{"query":"{ version }","padding":"'),
      });
      const response = parseResponse(outcome.received);
      expect({ status: response.status, socketError: outcome.socketError }).toEqual({
        status: 413,
        socketError: undefined,
      });
      expect(response.headers.connection).toBe('close');
      const body = JSON.parse(response.body);
      expect(body.errors.map((error: { extensions: unknown }) => error.extensions)).toEqual([
        { code: 'VALIDATION', reason: 'BODY_TOO_LARGE', requestId: response.headers['x-request-id'] },
      ]);
    }
  });
});
