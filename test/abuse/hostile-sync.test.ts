import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_LIMITS } from '../../src/domain/sync/change-types.ts';
import { scopeHash, userScopes } from '../../src/services/sync/feed/scopes.ts';
import { encodeReseedToken } from '../../src/services/sync/reseed-token.ts';
import { startDirect } from '../api/chat/conversation-support.ts';
import { addMember, createCommunity } from '../api/communities/community-support.ts';
import { errorCodes, fieldOf, type GraphQLResponse, TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../api/support/identity-operations.ts';
import {
  minutesAgo,
  profileChange,
  registerSyncDevice,
  SYNC,
  type SyncOutcomeView,
  type SyncPayloadView,
  syncOf,
  UNREGISTER_DEVICE,
} from '../api/sync/sync-support.ts';
import { LEAKED_INTERNALS } from './hostile-schema.ts';
import { openRawClient, type RawClient, type SlowClientApp, startSlowClientApp } from './hostile-slow-app.ts';

/**
 * Hostile input to offline sync (issue 23), both ways in: the GraphQL `sync` mutation and the
 * NDJSON `POST /sync`. Batches at and past SYNC_LIMITS (changes, bytes, one line, one payload),
 * bodies that never end, lines that are not JSON, `__proto__`/`constructor` keys, unknown change
 * types, change ids of a bad shape or reused with other content, entity ids of things that are
 * someone else's or out of sight, awkward Unicode, client times far off either way, forged cursors
 * and snapshot tokens, and revoked devices. Each answer is a typed refusal (of the whole request,
 * or of the one change, with a code), never a 5xx, and stores nothing: no event, no receipt, no
 * conflict, nobody else's value echoed back.
 */

const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;
const SLACK_MS = 4_000;

let api: SlowClientApp;
let ada: TestUser;
let bob: TestUser;
let adaDevice: string;
let adaCursor: string;
const clients: RawClient[] = [];

interface RawAnswer {
  status: number;
  body: GraphQLResponse;
}

beforeAll(async () => {
  api = await startSlowClientApp({
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  [ada, bob] = await Promise.all([registerAndSignIn(api, 'Ada'), registerAndSignIn(api, 'Bob')]);
  adaDevice = await registerSyncDevice(api, ada.accessToken);
  adaCursor = await seeded(ada, adaDevice);
}, 60_000);

afterAll(async () => {
  for (const client of clients) client.stop();
  await api?.close();
});

/** Syncs a new device until its re-seed is done: the cursor it may pull on with. */
async function seeded(user: TestUser, deviceId: string): Promise<string> {
  let reply = await syncOf(api, user.accessToken, { deviceId });
  while (reply.reseed?.nextSnapshotToken) {
    reply = await syncOf(api, user.accessToken, { deviceId, snapshotToken: reply.reseed.nextSnapshotToken });
  }
  return reply.cursor;
}

async function gqlSync(
  input: Record<string, unknown>,
  token: string | undefined = ada.accessToken,
): Promise<RawAnswer> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: JSON.stringify({ query: SYNC, variables: { input } }),
  });
  return { status: response.statusCode, body: response.json() };
}

/** The first error's CODE/REASON, after checking the refusal is typed, not a 5xx, and leaks nothing. */
function refusal(answer: RawAnswer): string {
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
  const errors = answer.body.errors ?? [];
  expect(errors.length, JSON.stringify(answer.body).slice(0, 2_000)).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.extensions?.code, error.message).toBeTruthy();
    expect(error.extensions?.code).not.toBe('INTERNAL');
    expect(error.message).not.toMatch(LEAKED_INTERNALS);
  }
  return errorCodes(answer.body)[0] ?? '';
}

/** The outcomes of a sync that went through (every change answered, none a 5xx). */
function outcomesOf(answer: RawAnswer): SyncOutcomeView[] {
  expect(answer.status).toBe(200);
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  return fieldOf<SyncPayloadView>(answer.body, 'sync').outcomes;
}

/** An outcome as STATUS or STATUS CATEGORY/CODE, for tables of expectations. */
const verdict = (outcome: SyncOutcomeView | undefined) =>
  outcome?.error ? `${outcome.status} ${outcome.error.category}/${outcome.error.code}` : `${outcome?.status}`;

interface NdjsonAnswer {
  status: number;
  contentType: string;
  text: string;
  lines: Record<string, unknown>[];
}

async function ndjson(
  body: string | Buffer,
  options: { token?: string | null; contentType?: string } = {},
): Promise<NdjsonAnswer> {
  const token = options.token === undefined ? ada.accessToken : options.token;
  const response = await api.app.inject({
    method: 'POST',
    url: '/sync',
    headers: {
      'content-type': options.contentType ?? 'application/x-ndjson',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: body,
  });
  const text = response.body;
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: response.statusCode, contentType: String(response.headers['content-type']), text, lines };
}

/** A whole-request refusal of POST /sync: `{"error": {...}}` as JSON with a 4xx, leaking nothing. */
function ndjsonRefusal(answer: NdjsonAnswer): {
  status: number;
  code: string;
  details: Record<string, unknown>;
} {
  expect(answer.status, answer.text.slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(answer.text).not.toMatch(LEAKED_INTERNALS);
  const error = (JSON.parse(answer.text) as { error: Record<string, unknown> }).error;
  expect(error.message).toEqual(expect.any(String));
  return {
    status: answer.status,
    code: [error.code, error.reason].filter(Boolean).join('/'),
    details: (error.details ?? {}) as Record<string, unknown>,
  };
}

const lines = (...values: unknown[]) => `${values.map((value) => JSON.stringify(value)).join('\n')}\n`;

/** What a refused sync must not add to: every event, every receipt, every queued conflict. */
async function stored(): Promise<{ events: number; receipts: number; conflicts: number }> {
  const { rows } = await api.runtime.pool.query<{ events: number; receipts: number; conflicts: number }>(
    `select (select count(*)::int from es_events) as events,
            (select count(*)::int from sync_receipts) as receipts,
            (select count(*)::int from sync_conflicts) as conflicts`,
  );
  return rows[0] as { events: number; receipts: number; conflicts: number };
}

async function expectHealthy(): Promise<void> {
  expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  expect(fieldOf(await api.gql('{ me { id } }', {}, ada.accessToken), 'me')).toEqual({ id: ada.id });
}

const adaProfile = async () =>
  fieldOf<{ displayName: string; bio: string | null }>(
    await api.gql('{ me { displayName bio } }', {}, ada.accessToken),
    'me',
  );

const unknownChange = (i: number) => ({
  changeId: `bulk-${i.toString().padStart(6, '0')}-${randomUUID().slice(0, 8)}`,
  type: 'profile.rename',
  entityId: randomUUID(),
  baseVersion: 0,
  clientTime: minutesAgo(1),
  payload: {},
});

const NDJSON_HEADER = () => ({ deviceId: adaDevice, cursor: adaCursor });

/** Ada's profile change against her current version (no conflict), so only the input decides. */
const ownChange = (payload: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  profileChange(ada.id, payload, { baseVersion: 1_000, ...extra });

describe('sync batches at and past the limits', () => {
  it('GraphQL: takes exactly the change limit, refuses one more and a batch past the byte limit as a whole', async () => {
    const { maxChanges, maxBytes } = SYNC_LIMITS.graphql;
    const atLimit = Array.from({ length: maxChanges }, (_, i) => ({
      ...unknownChange(i),
      type: 'profile.rename',
    }));
    const accepted = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: atLimit }));
    expect(accepted).toHaveLength(maxChanges);
    expect(new Set(accepted.map(verdict))).toEqual(new Set(['REFUSED VALIDATION/UNKNOWN_CHANGE_TYPE']));

    const before = await stored();
    const tooMany = [...atLimit, unknownChange(maxChanges)].map((change) => ({
      ...change,
      ...ownChange({ bio: 'never' }),
    }));
    const refusedCount = await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: tooMany });
    expect(refusal(refusedCount)).toBe('VALIDATION/SYNC_TOO_LARGE');
    expect(refusedCount.body.errors?.[0]?.extensions).toMatchObject({
      form: 'graphql',
      changes: maxChanges + 1,
      maxChanges,
      maxBytes,
    });

    // Each payload is under the per-change limit; together they are exactly the request's limit,
    // then one byte over it (and both under /graphql's body limit, so the sync itself answers).
    const changesOfBytes = (bytes: number) => {
      const changes = Array.from({ length: 6 }, () => ownChange({ bio: 'b'.repeat(15_000) }));
      const last = ownChange({ bio: '' });
      const fill = bytes - Buffer.byteLength(JSON.stringify([...changes, last]));
      return [...changes, { ...last, payload: { bio: 'b'.repeat(fill) } }];
    };
    const over = changesOfBytes(maxBytes + 1);
    expect(Buffer.byteLength(JSON.stringify(over))).toBe(maxBytes + 1);
    const refusedBytes = await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: over });
    expect(refusal(refusedBytes)).toBe('VALIDATION/SYNC_TOO_LARGE');
    expect(refusedBytes.body.errors?.[0]?.extensions).toMatchObject({
      form: 'graphql',
      bytes: maxBytes + 1,
      maxBytes,
    });
    expect(await stored()).toEqual(before);

    // At the limit the request is taken, and each over-long bio refused on its own.
    const taken = outcomesOf(
      await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: changesOfBytes(maxBytes) }),
    );
    expect(new Set(taken.map(verdict))).toEqual(new Set(['REFUSED VALIDATION/INVALID_CHANGE']));
    expect(await stored()).toEqual(before);
  }, 60_000);

  it('GraphQL: aliasing syncs in one request is priced per change, so the limit cannot be multiplied', async () => {
    const before = await stored();
    const batch = Array.from({ length: SYNC_LIMITS.graphql.maxChanges }, () => ownChange({ bio: 'Aliased' }));
    const twice = await api.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.accessToken}` },
      payload: JSON.stringify({
        query: `mutation ($a: SyncInput!, $b: SyncInput!) { a: sync(input: $a) { cursor } b: sync(input: $b) { cursor } }`,
        variables: {
          a: { deviceId: adaDevice, cursor: adaCursor, changes: batch },
          b: {
            deviceId: adaDevice,
            cursor: adaCursor,
            changes: batch.map((c) => ({ ...c, changeId: `${c.changeId}-b` })),
          },
        },
      }),
    });
    expect(refusal({ status: twice.statusCode, body: twice.json() })).toBe(
      'GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX',
    );
    expect(await stored()).toEqual(before);
    expect((await adaProfile()).bio).not.toBe('Aliased');
  });

  it('a payload past its own limit is refused alone, counted in bytes (not characters)', async () => {
    const before = await stored();
    const emoji = '😀'.repeat(Math.ceil(SYNC_LIMITS.maxPayloadBytes / 4) + 1); // 4 bytes each, 2 UTF-16 units
    const cases = [
      ownChange({ bio: emoji }),
      ownChange({ displayName: 'x'.repeat(SYNC_LIMITS.maxPayloadBytes) }),
      {
        ...ownChange({}),
        type: 'chat.message',
        entityId: randomUUID(),
        payload: { text: 'é'.repeat(9_000) },
      },
    ];
    const outcomes = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: cases }));
    expect(outcomes.map(verdict)).toEqual(Array(3).fill('REFUSED VALIDATION/PAYLOAD_TOO_LARGE'));
    expect(outcomes[0]?.error?.details).toMatchObject({ maxPayloadBytes: SYNC_LIMITS.maxPayloadBytes });
    expect(await stored()).toEqual(before);
  });

  it('NDJSON: takes exactly the change limit, refuses one more with 413 and a typed JSON error', async () => {
    const { maxChanges } = SYNC_LIMITS.ndjson;
    const changes = Array.from({ length: maxChanges }, (_, i) => unknownChange(i));
    const accepted = await ndjson(lines(NDJSON_HEADER(), ...changes));
    expect(accepted.status, accepted.text.slice(0, 500)).toBe(200);
    expect(accepted.contentType).toMatch(/^application\/x-ndjson/);
    const outcomes = accepted.lines.filter((line) => 'outcome' in line);
    expect(outcomes).toHaveLength(maxChanges);
    expect(accepted.lines.at(-1)).toMatchObject({ cursor: expect.any(String), hasMore: expect.any(Boolean) });

    const before = await stored();
    const over = await ndjson(lines(NDJSON_HEADER(), ...changes, ownChange({ bio: 'never' })));
    expect(ndjsonRefusal(over)).toMatchObject({
      status: 413,
      code: 'VALIDATION/SYNC_TOO_LARGE',
      details: { form: 'ndjson', maxChanges },
    });

    // Declared past the byte limit: refused before a byte of the body is read.
    const huge = Buffer.alloc(SYNC_LIMITS.ndjson.maxBytes + 1, 0x20);
    const declared = await ndjson(huge);
    expect(ndjsonRefusal(declared)).toMatchObject({ status: 413, code: 'VALIDATION/SYNC_TOO_LARGE' });
    expect(await stored()).toEqual(before);
  }, 120_000);

  it('NDJSON: a body streamed past the byte limit (no length given) is refused with 413 while it is still coming', async () => {
    const before = await stored();
    const line = Buffer.from(`${JSON.stringify(ownChange({ bio: 'n'.repeat(60_000) }))}\n`);
    let first = true;
    const answer = await streamUntilAnswered(() => {
      if (first) {
        first = false;
        return Buffer.from(lines(NDJSON_HEADER()));
      }
      return line;
    }, 3 * SYNC_LIMITS.ndjson.maxBytes);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: 'VALIDATION', reason: 'SYNC_TOO_LARGE' },
    });
    expect(answer.sent).toBeLessThan(2 * SYNC_LIMITS.ndjson.maxBytes);
    expect(await stored()).toEqual(before);
    await expectHealthy();
  }, 60_000);

  it('NDJSON: a line that never ends is refused with 413 once it passes the line limit, without the body ending', async () => {
    const before = await stored();
    let sent = 0;
    const answer = await streamUntilAnswered(() => {
      sent++;
      return Buffer.from(
        sent === 1 ? `${JSON.stringify(NDJSON_HEADER())}\n{"changeId":"` : 'a'.repeat(8_192),
      );
    }, 4 * SYNC_LIMITS.ndjson.maxBytes);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: 'VALIDATION', reason: 'SYNC_TOO_LARGE', details: { line: 2 } },
    });
    expect(answer.sent).toBeLessThan(SYNC_LIMITS.ndjson.maxBytes);
    expect(await stored()).toEqual(before);
  }, 60_000);

  it('NDJSON: a body that never ends is cut off at the request deadline (408), and nothing of it is stored', async () => {
    const before = await stored();
    const loris = await openRawClient(api.port);
    clients.push(loris);
    const head = lines(NDJSON_HEADER(), ownChange({ displayName: 'Trickled' }));
    loris.socket.write(
      `POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nAuthorization: Bearer ${ada.accessToken}\r\nContent-Length: ${head.length + 10_000}\r\n\r\n${head}`,
    );
    loris.trickle(' ', 200);
    const closedAfter = await loris.closed;
    expect(loris.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfter).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(await stored()).toEqual(before);
    expect((await adaProfile()).displayName).not.toBe('Trickled');
  }, 30_000);

  it('NDJSON: lines that are not JSON, a header that is not an object, other media types and no credentials are refused whole', async () => {
    const before = await stored();
    const valid = JSON.stringify(ownChange({ displayName: 'Never stored' }));
    const header = JSON.stringify(NDJSON_HEADER());
    const cases: [
      string,
      string | Buffer,
      { token?: string | null; contentType?: string },
      number,
      string,
      Record<string, unknown>?,
    ][] = [
      [
        'a line that is not JSON',
        `${header}\n${valid}\n{"changeId": oops}\n`,
        {},
        400,
        'VALIDATION/MALFORMED_LINE',
        { line: 3 },
      ],
      [
        'a truncated last line',
        `${header}\n${valid}\n{"changeId":"abcdefgh"`,
        {},
        400,
        'VALIDATION/MALFORMED_LINE',
        { line: 3 },
      ],
      [
        'two values on a line',
        `${header}\n${valid} ${valid}\n`,
        {},
        400,
        'VALIDATION/MALFORMED_LINE',
        { line: 2 },
      ],
      [
        'bytes that are not UTF-8',
        Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0x0a])]),
        {},
        400,
        'VALIDATION/MALFORMED_LINE',
        { line: 2 },
      ],
      ['a header that is an array', `[1]\n${valid}\n`, {}, 400, 'VALIDATION/MALFORMED_LINE', { line: 1 }],
      ['a header that is null', `null\n${valid}\n`, {}, 400, 'VALIDATION/MALFORMED_LINE', { line: 1 }],
      ['an empty body', '', {}, 400, 'VALIDATION/MALFORMED_LINE'],
      ['a header without a device', `{"cursor":"1"}\n${valid}\n`, {}, 400, 'VALIDATION/INVALID_INPUT'],
      // PostgreSQL cannot store NUL: refused before any line is decided, as GraphQL refuses it.
      [
        'NUL in a payload',
        `${header}\n${valid}\n${JSON.stringify(ownChange({ displayName: 'x\u0000y' }))}\n`,
        {},
        400,
        'VALIDATION/INVALID_INPUT',
        { line: 3 },
      ],
      [
        'NUL in a change id',
        `${header}\n${JSON.stringify(ownChange({ bio: 'x' }, { changeId: 'nul\u0000byte1' }))}\n`,
        {},
        400,
        'VALIDATION/INVALID_INPUT',
        { line: 2 },
      ],
      [
        'NUL in the header',
        `${JSON.stringify({ deviceId: adaDevice, cursor: '1\u0000' })}\n${valid}\n`,
        {},
        400,
        'VALIDATION/INVALID_INPUT',
        { line: 1 },
      ],
      [
        'JSON sent as JSON',
        JSON.stringify({ deviceId: adaDevice, changes: [] }),
        { contentType: 'application/json' },
        415,
        'VALIDATION/UNSUPPORTED_MEDIA_TYPE',
      ],
      ['no credentials', `${header}\n${valid}\n`, { token: null }, 401, 'UNAUTHENTICATED/SIGN_IN_REQUIRED'],
      [
        'a forged token',
        `${header}\n${valid}\n`,
        { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
        401,
        'UNAUTHENTICATED/TOKEN_INVALID',
      ],
    ];
    const answers = [];
    for (const [label, body, options, status, code, details] of cases) {
      const answer = ndjsonRefusal(await ndjson(body, options));
      answers.push(`${label}: ${answer.status} ${answer.code}`);
      if (details) expect(answer.details, label).toMatchObject(details);
      expect(`${label}: ${answer.status} ${answer.code}`).toBe(`${label}: ${status} ${code}`);
    }
    expect(await stored()).toEqual(before);
    expect((await adaProfile()).displayName).not.toBe('Never stored');
  });
});

/**
 * Writes `next()` chunks to POST /sync on a real socket, without a declared length, until the
 * server answers or `cap` bytes are sent; the server may hang up mid-body (its right after a 413).
 */
function streamUntilAnswered(
  next: () => Buffer,
  cap: number,
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = httpRequest({
      host: '127.0.0.1',
      port: api.port,
      method: 'POST',
      path: '/sync',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${ada.accessToken}` },
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sent });
      });
    });
    const pump = () => {
      while (!answered && !request.destroyed && sent < cap) {
        const chunk = next();
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      if (!answered && sent >= cap) reject(new Error(`no answer after ${sent} bytes`));
    };
    pump();
  });
}

describe('hostile changes', () => {
  it('`__proto__` and `constructor` keys: GraphQL refuses the body, NDJSON refuses the change or drops the key, nothing is polluted', async () => {
    const before = await stored();
    const polluted = '{"__proto__": {"displayName": "Polluted"}}';
    // The GraphQL body parser refuses prototype keys anywhere in the request.
    const viaGraphql = await api.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.accessToken}` },
      payload: `{"query": ${JSON.stringify(SYNC)}, "variables": {"input": {"deviceId": "${adaDevice}", "changes": [${JSON.stringify({ ...ownChange({}), payload: 'PAYLOAD' }).replace('"PAYLOAD"', polluted)}]}}}`,
    });
    expect(refusal({ status: viaGraphql.statusCode, body: viaGraphql.json() })).toBe(
      'VALIDATION/MALFORMED_REQUEST',
    );

    const change = (payload: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ ...ownChange({}), ...extra, payload: 'PAYLOAD' }).replace('"PAYLOAD"', payload);
    const body = [
      JSON.stringify(NDJSON_HEADER()),
      change(polluted),
      change('{"constructor": {"prototype": {"polluted": "yes"}}}'),
      change('{"__proto__": {"polluted": "yes"}}', { type: 'community.join', entityId: randomUUID() }),
      `{"__proto__": ${change('{"displayName": "Polluted"}')}}`,
      change('{"displayName": "Polluted", "__proto__": {"isAdmin": true}}'),
    ].join('\n');
    const answer = await ndjson(`${body}\n`);
    expect(answer.status, answer.text.slice(0, 500)).toBe(200);
    const outcomes = answer.lines.flatMap((line) =>
      'outcome' in line ? [line.outcome as SyncOutcomeView] : [],
    );
    expect(outcomes.map(verdict)).toEqual([
      'REFUSED VALIDATION/INVALID_CHANGE',
      'REFUSED VALIDATION/INVALID_CHANGE',
      // The key is dropped, not taken as a field: what is left is an empty payload, decided as such.
      'REFUSED NOT_FOUND/COMMUNITY_NOT_FOUND',
      'REFUSED VALIDATION/INVALID_CHANGE',
      'APPLIED',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const after = await stored();
    expect(after.events - before.events).toBe(1);
    expect((await adaProfile()).displayName).toBe('Polluted');
  });

  it('refuses change types that are not in the table, prototype names included', async () => {
    const before = await stored();
    const types = [
      'profile.delete',
      'PROFILE.UPDATE',
      ' profile.update',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'x'.repeat(100),
    ];
    const changes = types.map((type) => ({ ...ownChange({ displayName: 'Never' }), type }));
    const outcomes = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes }));
    expect(outcomes.map(verdict)).toEqual(types.map(() => 'REFUSED VALIDATION/UNKNOWN_CHANGE_TYPE'));
    const malformed = ['', 'x'.repeat(101)].map((type) => ({ ...ownChange({ displayName: 'Never' }), type }));
    const refused = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: malformed }));
    expect(refused.map(verdict)).toEqual([
      'REFUSED VALIDATION/INVALID_CHANGE',
      'REFUSED VALIDATION/INVALID_CHANGE',
    ]);
    expect(await stored()).toEqual(before);
  });

  it('refuses change ids of a bad shape, and an id reused with other content; another person’s same id is theirs', async () => {
    const before = await stored();
    const badIds = [
      'short1',
      'a'.repeat(101),
      'has space 1',
      'slash/../x1',
      'ünïcødé-123',
      '<script>1</script>',
      "'; drop table x; --",
      '',
    ];
    const outcomes = outcomesOf(
      await gqlSync({
        deviceId: adaDevice,
        cursor: adaCursor,
        changes: badIds.map((changeId) => ownChange({ displayName: 'Never' }, { changeId })),
      }),
    );
    expect(outcomes.map(verdict)).toEqual(badIds.map(() => 'REFUSED VALIDATION/INVALID_CHANGE'));
    // Echoed back (cut to 100 characters) so the device can match the refusal.
    expect(outcomes[1]?.changeId).toBe('a'.repeat(100));
    // Not a string at all (NDJSON takes any JSON; GraphQL's String refuses these).
    const typed = await ndjson(
      lines(
        NDJSON_HEADER(),
        ownChange({ displayName: 'Never' }, { changeId: 12345678 }),
        ownChange({ displayName: 'Never' }, { changeId: { $gt: '' } }),
      ),
    );
    const typedOutcomes = typed.lines.flatMap((line) =>
      'outcome' in line ? [line.outcome as SyncOutcomeView] : [],
    );
    expect(typedOutcomes.map((o) => [o.changeId, verdict(o)])).toEqual([
      ['', 'REFUSED VALIDATION/INVALID_CHANGE'],
      ['', 'REFUSED VALIDATION/INVALID_CHANGE'],
    ]);
    expect(await stored()).toEqual(before);

    const changeId = `reuse-${randomUUID()}`;
    const first = outcomesOf(
      await gqlSync({
        deviceId: adaDevice,
        cursor: adaCursor,
        changes: [ownChange({ bio: 'First' }, { changeId })],
      }),
    );
    expect(first.map(verdict)).toEqual(['APPLIED']);
    const afterFirst = await stored();
    const reused = [
      ownChange({ bio: 'Second' }, { changeId }),
      ownChange({ bio: 'First' }, { changeId, baseVersion: 0 }),
      ownChange({ bio: 'First' }, { changeId, clientTime: minutesAgo(30) }),
      { ...ownChange({ bio: 'First' }, { changeId }), type: 'chat.message', payload: { text: 'First' } },
    ];
    for (const change of reused) {
      const answer = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: [change] }));
      expect(answer.map(verdict)).toEqual(['REFUSED VALIDATION/CHANGE_ID_REUSED']);
    }
    expect(await stored()).toEqual(afterFirst);
    expect((await adaProfile()).bio).toBe('First');

    // Receipts are per person: Bob's change with Ada's id is a change of his own.
    const bobDevice = await registerSyncDevice(api, bob.accessToken);
    const bobs = outcomesOf(
      await gqlSync(
        {
          deviceId: bobDevice,
          changes: [profileChange(bob.id, { bio: 'Bob’s own' }, { changeId, baseVersion: 1_000 })],
        },
        bob.accessToken,
      ),
    );
    expect(bobs.map(verdict)).toEqual(['APPLIED']);
    expect((await adaProfile()).bio).toBe('First');
  });
});

const THREAD = `mutation ($c: ID!, $t: String!, $b: String!) { startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;

describe('entities that are someone else’s, or out of sight', () => {
  let carol: TestUser;
  let bobsPost: string;
  let hiddenCommunity: string;
  let hiddenPost: string;
  let othersConversation: string;

  beforeAll(async () => {
    carol = await registerAndSignIn(api, 'Carol');
    const open = await createCommunity(api, bob);
    bobsPost = fieldOf<{ id: string }>(
      await api.gql(THREAD, { c: open.id, t: 'Bob’s', b: 'Bob’s words' }, bob.accessToken),
      'startCommunityThread',
    ).id;
    const hidden = await createCommunity(api, carol, { visibility: 'INVITE_ONLY' });
    hiddenCommunity = hidden.id;
    await addMember(api, carol, hidden.id, bob);
    hiddenPost = fieldOf<{ id: string }>(
      await api.gql(THREAD, { c: hidden.id, t: 'Secret', b: 'Secret words' }, carol.accessToken),
      'startCommunityThread',
    ).id;
    othersConversation = (await startDirect(api, bob, carol)).id;
  }, 60_000);

  it('refuses each as not found, answers no value of theirs, queues no conflict and stores nothing', async () => {
    const before = await stored();
    // baseVersion -1 and a time long past: were the entity located, every rule would see a conflict it loses.
    const theirs = (type: string, entityId: string, payload: Record<string, unknown>) => ({
      ...profileChange(ada.id, {}),
      type,
      entityId,
      baseVersion: -1,
      clientTime: '1971-01-01T00:00:00Z',
      payload,
    });
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'Bob’s profile',
        theirs('profile.update', bob.id, { displayName: 'Bob hacked' }),
        'NOT_FOUND/PROFILE_NOT_FOUND',
      ],
      [
        'Bob’s profile, spelt in capitals',
        theirs('profile.update', bob.id.toUpperCase(), { bio: 'hacked' }),
        'NOT_FOUND/PROFILE_NOT_FOUND',
      ],
      [
        'Bob’s post to edit',
        theirs('post.edit', bobsPost, { title: 'Hacked', body: 'Hacked' }),
        'NOT_FOUND/POST_NOT_FOUND',
      ],
      [
        'a post in a community out of sight, to edit',
        theirs('post.edit', hiddenPost, { body: 'Hacked' }),
        'NOT_FOUND/POST_NOT_FOUND',
      ],
      [
        'a post out of sight, to answer',
        theirs('community.reply', hiddenPost, { body: 'Hello?' }),
        'NOT_FOUND/POST_NOT_FOUND',
      ],
      [
        'a post out of sight, to mark helpful',
        theirs('community.markHelpful', hiddenPost, {}),
        'NOT_FOUND/POST_NOT_FOUND',
      ],
      // As joinCommunity answers it: an invitation-only community is listed, so it is not hidden.
      [
        'an invitation-only community, to join',
        theirs('community.join', hiddenCommunity, {}),
        'FORBIDDEN/INVITATION_REQUIRED',
      ],
      [
        'an invitation-only community, to leave',
        theirs('community.leave', hiddenCommunity, {}),
        'NOT_FOUND/COMMUNITY_NOT_FOUND',
      ],
      [
        'a conversation of others',
        theirs('chat.message', othersConversation, { text: 'Hi both' }),
        'NOT_FOUND/CONVERSATION_NOT_FOUND',
      ],
      [
        'a module that is not there',
        theirs('module.progress', randomUUID(), { percent: 100 }),
        'NOT_FOUND/MODULE_NOT_FOUND',
      ],
      [
        'a checkpoint that is not there',
        theirs('checkpoint.answer', randomUUID(), { answers: [] }),
        'NOT_FOUND/CHECKPOINT_NOT_FOUND',
      ],
      [
        'a post id that is Bob’s user id',
        theirs('community.reply', bob.id, { body: 'Hello?' }),
        'NOT_FOUND/POST_NOT_FOUND',
      ],
    ];
    const outcomes = outcomesOf(
      await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: cases.map(([, change]) => change) }),
    );
    expect(outcomes.map((o, i) => `${cases[i]?.[0]}: ${verdict(o)}`)).toEqual(
      cases.map(([label, , code]) => `${label}: REFUSED ${code}`),
    );
    for (const outcome of outcomes) {
      expect(outcome.value).toBeNull();
      expect(outcome.conflictId).toBeNull();
      expect(JSON.stringify(outcome)).not.toMatch(/Secret|Bob’s words|Bob\b/);
    }
    // A refusal is an outcome too: only its receipt is kept (a retry is answered the same).
    expect(await stored()).toEqual({ ...before, receipts: before.receipts + cases.length });
  });

  it('refuses entity ids that are not ids at all', async () => {
    const before = await stored();
    const ids = ['not-a-uuid', '../user-x', "' OR '1'='1", `${randomUUID()} `, `${randomUUID()}x`, '*', ''];
    const changes = ids.map((entityId) => ({
      ...ownChange({ body: 'x' }),
      type: 'community.reply',
      entityId,
    }));
    const outcomes = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes }));
    expect(outcomes.map(verdict)).toEqual(ids.map(() => 'REFUSED VALIDATION/INVALID_CHANGE'));
    expect(await stored()).toEqual(before);
  });
});

describe('awkward text and times', () => {
  it('takes Unicode as updateProfile takes it, and refuses text past each field’s limit', async () => {
    const texts = [
      'a\ud800b',
      'evil\u202eexe.txt',
      'Ada\u0301\u0301\u0301\u0301\u0301\u0301',
      '\u0007bell',
      '👩🏽‍💻 ٱلعربية',
    ];
    for (const text of texts) {
      const direct = await api.gql(
        'mutation ($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }',
        { i: { displayName: text } },
        ada.accessToken,
      );
      const expected = fieldOf<{ displayName: string }>(direct, 'updateProfile').displayName;
      const viaGraphql = outcomesOf(
        await gqlSync({
          deviceId: adaDevice,
          cursor: adaCursor,
          changes: [ownChange({ displayName: text })],
        }),
      );
      const viaNdjson = await ndjson(lines(NDJSON_HEADER(), ownChange({ displayName: text })));
      const ndjsonOutcome = viaNdjson.lines[0]?.outcome as SyncOutcomeView;
      for (const outcome of [viaGraphql[0], ndjsonOutcome]) {
        expect(['APPLIED', 'MERGED']).toContain(outcome?.status);
        expect(outcome?.value?.displayName, JSON.stringify(text)).toBe(expected);
      }
    }
    const before = await stored();
    const conversation = randomUUID();
    const tooLong: [string, Record<string, unknown>][] = [
      ['a 10,000-character bio', ownChange({ bio: 'x'.repeat(10_000) })],
      ['a 101-character name', ownChange({ displayName: 'x'.repeat(101) })],
      ['a name of spaces only', ownChange({ displayName: ' \t\n ' })],
      [
        'a 10,001-character reply',
        {
          ...ownChange({}),
          type: 'community.reply',
          entityId: randomUUID(),
          payload: { body: 'x'.repeat(10_001) },
        },
      ],
      [
        'a 4,001-character message',
        {
          ...ownChange({}),
          type: 'chat.message',
          entityId: conversation,
          payload: { text: 'x'.repeat(4_001) },
        },
      ],
      [
        'a percent past 100',
        { ...ownChange({}), type: 'module.progress', entityId: randomUUID(), payload: { percent: 101 } },
      ],
      [
        'a fractional percent',
        { ...ownChange({}), type: 'module.progress', entityId: randomUUID(), payload: { percent: 50.5 } },
      ],
      [
        '51 answers',
        {
          ...ownChange({}),
          type: 'checkpoint.answer',
          entityId: randomUUID(),
          payload: { answers: Array.from({ length: 51 }, (_, i) => ({ questionId: `q${i}` })) },
        },
      ],
      ['a payload that is a string', { ...ownChange({}), payload: 'displayName' }],
      ['a payload that is a list', { ...ownChange({}), payload: [{ displayName: 'x' }] }],
      ['an empty payload', ownChange({})],
    ];
    const outcomes = outcomesOf(
      await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: tooLong.map(([, c]) => c) }),
    );
    expect(outcomes.map((o, i) => `${tooLong[i]?.[0]}: ${verdict(o)}`)).toEqual(
      tooLong.map(([label]) => `${label}: REFUSED VALIDATION/INVALID_CHANGE`),
    );
    expect(await stored()).toEqual(before);
  });

  it('clamps client times in the future to the server’s and says so; a time long past loses a conflict and stores nothing', async () => {
    const sent = ownChange({ bio: 'From the future' }, { clientTime: '9999-12-31T23:59:59.999Z' });
    const [future] = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: [sent] }));
    expect(verdict(future)).toBe('APPLIED');
    expect(future?.clientTimeClamped).toBe(true);
    const lastEvent = (await api.runtime.store.readStream(`user-${ada.id}`)).at(-1);
    expect(lastEvent?.type).toBe('UserProfileChanged');
    const storedTime = Date.parse(
      String((lastEvent?.data as { clientTime?: string } | undefined)?.clientTime),
    );
    expect(storedTime).toBeLessThanOrEqual(Date.now());
    expect(storedTime).toBeGreaterThan(Date.now() - 60_000);

    // The future time won nothing: a later (true) time on the device still wins the field.
    const [later] = outcomesOf(
      await gqlSync({
        deviceId: adaDevice,
        cursor: adaCursor,
        changes: [
          ownChange(
            { bio: 'Now' },
            { baseVersion: -1, clientTime: new Date(Date.now() + 1_000).toISOString() },
          ),
        ],
      }),
    );
    expect(['APPLIED', 'MERGED']).toContain(later?.status);

    const before = await stored();
    const [past] = outcomesOf(
      await gqlSync({
        deviceId: adaDevice,
        cursor: adaCursor,
        changes: [ownChange({ bio: 'Ancient' }, { baseVersion: -1, clientTime: '0001-01-01T00:00:00Z' })],
      }),
    );
    expect(verdict(past)).toBe('SUPERSEDED');
    expect(past?.value).toMatchObject({ bio: 'Now' });
    expect(past?.clientTimeClamped).toBe(false);
    expect((await stored()).events).toBe(before.events);

    const badTimes = [
      '2026-13-45T25:61:61Z',
      '2026-01-01T00:00:00',
      '+275760-09-13T00:00:00.000Z',
      'yesterday',
      '1733400000000',
      '',
      '2026-01-01T00:00:00+25:00',
    ];
    const refused = outcomesOf(
      await gqlSync({
        deviceId: adaDevice,
        cursor: adaCursor,
        changes: badTimes.map((clientTime) => ownChange({ bio: 'Never' }, { clientTime })),
      }),
    );
    expect(refused.map((o, i) => `${badTimes[i]}: ${verdict(o)}`)).toEqual(
      badTimes.map((t) => `${t}: REFUSED VALIDATION/INVALID_CHANGE`),
    );
    // A device clock a day fast: its skew is recorded and shown on the device, its sync goes on.
    const dayAhead = new Date(Date.now() + 86_400_000).toISOString();
    const skewed = await gqlSync({
      deviceId: adaDevice,
      cursor: adaCursor,
      deviceTime: dayAhead,
      changes: [],
    });
    const skew = fieldOf<SyncPayloadView>(skewed.body, 'sync').clockSkewMs;
    expect(Math.abs(skew - 86_400_000)).toBeLessThan(60_000);
    const devices = fieldOf<{ id: string; clockSkewMs: number | null }[]>(
      await api.gql('{ myDevices { id clockSkewMs } }', {}, ada.accessToken),
      'myDevices',
    );
    expect(devices.find((d) => d.id === adaDevice)?.clockSkewMs).toBe(Math.round(skew));
    const badDeviceTime = await gqlSync({
      deviceId: adaDevice,
      cursor: adaCursor,
      deviceTime: 'tomorrow',
      changes: [ownChange({ bio: 'Never' })],
    });
    expect(refusal(badDeviceTime)).toBe('VALIDATION/INVALID_INPUT');
    expect((await stored()).events).toBe(before.events);
    expect((await adaProfile()).bio).toBe('Now');
  });
});

describe('forged cursors, snapshot tokens and devices', () => {
  const b64 = (value: unknown) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  it('refuses a cursor this API never handed out; one far ahead re-seeds', async () => {
    const before = await stored();
    const change = () => ownChange({ bio: 'Never stored' });
    for (const cursor of [
      'abc',
      '-2',
      '1e3',
      '0x10',
      ' 1',
      '01',
      '1.5',
      '١٢٣',
      '9'.repeat(20),
      // Past a 64-bit position: no cursor this API hands out, not one ahead of the feed.
      '9223372036854775808',
      '9'.repeat(19),
      "1' OR '1'='1",
      '',
    ]) {
      const answer = await gqlSync({ deviceId: adaDevice, cursor, changes: [change()] });
      expect(`${JSON.stringify(cursor)}: ${refusal(answer)}`).toBe(
        `${JSON.stringify(cursor)}: VALIDATION/CURSOR_INVALID`,
      );
      const viaNdjson = ndjsonRefusal(await ndjson(lines({ deviceId: adaDevice, cursor }, change())));
      expect(viaNdjson).toMatchObject({ status: 400, code: 'VALIDATION/CURSOR_INVALID' });
    }
    for (const cursor of ['9223372036854775807']) {
      const reply = fieldOf<SyncPayloadView>(
        (await gqlSync({ deviceId: adaDevice, cursor, changes: [] })).body,
        'sync',
      );
      expect(reply.reseed?.reason).toBe('CURSOR_AHEAD');
      expect(BigInt(reply.cursor)).toBeLessThan(9_223_372_036_854_775_807n);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses forged snapshot tokens, outside and inside, before anything is stored', async () => {
    const hash = scopeHash(await userScopes(api.runtime.pool, ada.id));
    const authSecret = new TextEncoder().encode(TEST_AUTH_SECRET);
    // Signed as the server signs: the inner token's own checks, behind a valid MAC.
    const signed = (inner: unknown, userId = ada.id) =>
      encodeReseedToken(
        { authSecret, userId },
        { reason: 'NEW_DEVICE', scopeHash: hash, snapshot: b64(inner), atCursor: false },
      );
    // Unsigned, as tokens were once made: refused whatever they hold.
    const unsigned = (inner: unknown, extra: Record<string, unknown> = {}) =>
      b64({ v: 1, r: 'NEW_DEVICE', s: hash, t: b64(inner), ...extra });
    const start = { v: 1, start: '-1', stage: 0, after: null };
    const genuine = signed(start);
    const [body = '', mac = ''] = genuine.split('.');
    const tokens: [string, string, string?][] = [
      ['not base64url', 'not base64url!'],
      ['base64url of text', b64('hello')],
      ['base64url of a list', b64([1, 2])],
      // Past the request's own bound for the field: refused as input before it is decoded.
      ['too long', 'A'.repeat(2_001), 'VALIDATION/INVALID_INPUT'],
      ['an unsigned token', unsigned(start)],
      ['an unknown reason', unsigned(start, { r: 'HACKED' })],
      ['an extra key', unsigned(start, { admin: true })],
      ['a prototype key', b64(`{"v":1,"r":"NEW_DEVICE","s":"${hash}","t":"x","__proto__":{"admin":true}}`)],
      ['a body altered under its MAC', `${b64({ v: 1, r: 'ERASURE', s: hash, t: b64(start) })}.${mac}`],
      ['a MAC altered', `${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}`],
      ['a MAC cut short', `${body}.${mac.slice(0, -1)}`],
      ['no MAC', `${body}.`],
      ['signed for another person', signed(start, bob.id)],
      [
        'signed under another secret',
        encodeReseedToken(
          {
            authSecret: new TextEncoder().encode('another-secret-that-is-32-characters-long'),
            userId: ada.id,
          },
          { reason: 'NEW_DEVICE', scopeHash: hash, snapshot: b64(start), atCursor: false },
        ),
      ],
      ['a position ahead of the feed', signed({ ...start, start: '9223372036854775807' })],
      ['a stage past the last', signed({ ...start, stage: 99 })],
      ['a negative stage', signed({ ...start, stage: -1 })],
      ['a position that is not a number', signed({ ...start, start: "0' OR 1=1" })],
      ['an inner version 2', signed({ ...start, v: 2 })],
      ['an inner token that is not JSON', signed('{')],
      // base64url hides a NUL from the request's own guards; PostgreSQL refuses it in text.
      ['a keyset holding NUL', signed({ ...start, after: 'a\u0000b' })],
      ['a keyset with a space', signed({ ...start, after: 'a b' })],
      ['a keyset outside ASCII', signed({ ...start, after: 'é' })],
    ];
    const before = await stored();
    for (const [label, snapshotToken, code = 'VALIDATION/SNAPSHOT_TOKEN_INVALID'] of tokens) {
      const answer = await gqlSync({
        deviceId: adaDevice,
        snapshotToken,
        changes: [ownChange({ bio: 'Never stored' })],
      });
      expect(`${label}: ${refusal(answer)}`).toBe(`${label}: ${code}`);
      const viaNdjson = ndjsonRefusal(
        await ndjson(lines({ deviceId: adaDevice, snapshotToken }, ownChange({ bio: 'Never stored' }))),
      );
      expect(`${label}: ${viaNdjson.status} ${viaNdjson.code}`).toBe(`${label}: 400 ${code}`);
    }
    // Well-formed keysets that name no entity of hers, or are SQL-shaped (signed: only the server
    // could hand these out): a page from there, nothing more.
    for (const after of ["'OR'1'='1'--", bob.id, '\\', '%']) {
      const reply = await gqlSync({
        deviceId: adaDevice,
        snapshotToken: signed({ ...start, after }),
        changes: [],
      });
      expect(reply.status).toBe(200);
      const payload = fieldOf<SyncPayloadView>(reply.body, 'sync');
      expect(payload.changes.every((record) => record.entityId !== bob.id)).toBe(true);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses a revoked device, another person’s and one that never was, both ways in, storing nothing', async () => {
    const revoked = await registerSyncDevice(api, ada.accessToken);
    await seeded(ada, revoked);
    fieldOf(await api.gql(UNREGISTER_DEVICE, { deviceId: revoked }, ada.accessToken), 'unregisterDevice');
    const bobsDevice = await registerSyncDevice(api, bob.accessToken);
    const before = await stored();
    const cases: [string, string, number, string][] = [
      ['revoked', revoked, 403, 'FORBIDDEN/DEVICE_REVOKED'],
      ['Bob’s', bobsDevice, 404, 'NOT_FOUND/DEVICE_NOT_FOUND'],
      ['Bob’s, in capitals', bobsDevice.toUpperCase(), 404, 'NOT_FOUND/DEVICE_NOT_FOUND'],
      ['never registered', randomUUID(), 404, 'NOT_FOUND/DEVICE_NOT_FOUND'],
      ['Ada’s own user id', ada.id, 404, 'NOT_FOUND/DEVICE_NOT_FOUND'],
    ];
    for (const [label, deviceId, status, code] of cases) {
      const change = ownChange({ bio: `Never from ${label}` });
      expect(`${label}: ${refusal(await gqlSync({ deviceId, changes: [change] }))}`).toBe(
        `${label}: ${code}`,
      );
      expect(ndjsonRefusal(await ndjson(lines({ deviceId }, change))), label).toMatchObject({ status, code });
    }
    expect(await stored()).toEqual(before);
    await expectHealthy();
  });
});

describe('who may read and settle sync conflicts', () => {
  const CONFLICTS = `query ($status: SyncConflictStatus, $first: Int, $after: String) {
    mySyncConflicts(status: $status, first: $first, after: $after) { nodes { id deviceValue serverValue } pageInfo { hasNextPage } } }`;
  const RESOLVE = `mutation ($input: ResolveSyncConflictInput!) { resolveSyncConflict(input: $input) { id status } }`;
  let conflictId: string;

  beforeAll(async () => {
    const community = await createCommunity(api, ada);
    const post = fieldOf<{ id: string }>(
      await api.gql(THREAD, { c: community.id, t: 'Mine', b: 'As first written' }, ada.accessToken),
      'startCommunityThread',
    ).id;
    const edit = {
      ...ownChange({}),
      type: 'post.edit',
      entityId: post,
      baseVersion: -1,
      payload: { body: 'Edited offline' },
    };
    const [queued] = outcomesOf(await gqlSync({ deviceId: adaDevice, cursor: adaCursor, changes: [edit] }));
    expect(queued?.status).toBe('QUEUED');
    conflictId = queued?.conflictId as string;
  });

  const key = async (owner: TestUser, scope: string) =>
    fieldOf<{ key: string }>(
      await api.gql(
        'mutation ($s: [ApiScope!]!) { createApiKey(name: "sync", scopes: $s) { key } }',
        { s: [scope] },
        owner.accessToken,
      ),
      'createApiKey',
    ).key;

  it('lists a person’s conflicts to them and their read key only; refuses anonymous callers and keys without the scope', async () => {
    const listed = async (token: string | undefined) => {
      const response = await api.gql(CONFLICTS, {}, token);
      return response.errors
        ? errorCodes(response)[0]
        : fieldOf<{ nodes: { id: string }[] }>(response, 'mySyncConflicts').nodes.map((n) => n.id);
    };
    // The read model follows the event: wait until it lists the conflict to its owner.
    for (let i = 0; i < 50 && !(await listed(ada.accessToken))?.includes(conflictId); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await listed(ada.accessToken)).toContain(conflictId);
    expect(await listed(await key(ada, 'GRAPHQL_READ'))).toContain(conflictId);
    expect(await listed(bob.accessToken)).toEqual([]);
    expect(await listed(await key(bob, 'GRAPHQL_READ'))).toEqual([]);
    expect(await listed(undefined)).toBe('UNAUTHENTICATED/SIGN_IN_REQUIRED');
    expect(await listed(await key(ada, 'EVENTS_READ'))).toBe('FORBIDDEN/MISSING_SCOPE');
    for (const [variables, code] of [
      [{ first: 0 }, 'VALIDATION/INVALID_INPUT'],
      [{ first: 10_000 }, 'VALIDATION/INVALID_INPUT'],
      [{ after: 'x'.repeat(201) }, 'VALIDATION/INVALID_INPUT'],
      [{ after: 'eyJmb3JnZWQiOnRydWV9' }, 'VALIDATION/INVALID_CURSOR'],
      [{ after: "' OR 1=1 --" }, 'VALIDATION/INVALID_CURSOR'],
    ] as const) {
      const answer = await api.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.accessToken}` },
        payload: JSON.stringify({ query: CONFLICTS, variables }),
      });
      expect(
        `${JSON.stringify(variables)}: ${refusal({ status: answer.statusCode, body: answer.json() })}`,
      ).toBe(`${JSON.stringify(variables)}: ${code}`);
    }
  });

  it('lets nobody else settle a conflict, whichever resolution or text they send', async () => {
    const attempts = [
      [bob.accessToken, { conflictId, resolution: 'KEEP_DEVICE' }, 'NOT_FOUND/SYNC_CONFLICT_NOT_FOUND'],
      [
        bob.accessToken,
        { conflictId, resolution: 'EDIT', body: 'Bob’s words' },
        'NOT_FOUND/SYNC_CONFLICT_NOT_FOUND',
      ],
      [
        await key(bob, 'GRAPHQL_WRITE'),
        { conflictId, resolution: 'KEEP_SERVER' },
        'NOT_FOUND/SYNC_CONFLICT_NOT_FOUND',
      ],
      [await key(ada, 'GRAPHQL_READ'), { conflictId, resolution: 'KEEP_SERVER' }, 'FORBIDDEN/MISSING_SCOPE'],
      [undefined, { conflictId, resolution: 'KEEP_SERVER' }, 'UNAUTHENTICATED/SIGN_IN_REQUIRED'],
      [
        ada.accessToken,
        { conflictId: randomUUID(), resolution: 'KEEP_SERVER' },
        'NOT_FOUND/SYNC_CONFLICT_NOT_FOUND',
      ],
      [ada.accessToken, { conflictId: 'not-a-uuid', resolution: 'KEEP_SERVER' }, 'VALIDATION/INVALID_INPUT'],
      [
        ada.accessToken,
        { conflictId, resolution: 'EDIT', body: 'x'.repeat(10_001) },
        'VALIDATION/INVALID_INPUT',
      ],
    ] as const;
    const before = await stored();
    for (const [token, input, code] of attempts) {
      const answer = await api.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        payload: JSON.stringify({ query: RESOLVE, variables: { input } }),
      });
      expect(
        `${JSON.stringify(input).slice(0, 80)}: ${refusal({ status: answer.statusCode, body: answer.json() })}`,
      ).toBe(`${JSON.stringify(input).slice(0, 80)}: ${code}`);
    }
    expect(await stored()).toEqual(before);
  });
});
