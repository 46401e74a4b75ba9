import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_LIMITS } from '../../../src/domain/sync/change-types.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { feedPast, profileChange, registerSyncDevice, storedFor, UNREGISTER_DEVICE } from './sync-support.ts';

let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(() => api.close());

const ndjson = (...values: unknown[]) => values.map((value) => `${JSON.stringify(value)}\n`).join('');

async function post(body: string, token?: string, contentType = 'application/x-ndjson') {
  const response = await api.app.inject({
    method: 'POST',
    url: '/sync',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: body,
  });
  return response;
}

const linesOf = (body: string) =>
  body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function aDevice(): Promise<{ user: TestUser; deviceId: string }> {
  const user = await registerAndSignIn(api, 'Nell Ndjson');
  return { user, deviceId: await registerSyncDevice(api, user.accessToken) };
}

describe('POST /sync (NDJSON)', () => {
  it('answers outcome lines, the re-seed line, change lines and the trailer, the objects of the GraphQL form', async () => {
    const { user, deviceId } = await aDevice();
    await feedPast(api, [`user-${user.id}`]);
    const good = profileChange(user.id, { displayName: 'Nell on a plane' }, { baseVersion: 0 });
    const bad = profileChange(user.id, { displayName: '' });
    const response = await post(
      ndjson({ deviceId, deviceTime: new Date().toISOString() }, good, bad),
      user.accessToken,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = linesOf(response.body);
    expect(lines.slice(0, 2)).toEqual([
      {
        outcome: expect.objectContaining({
          changeId: good.changeId,
          status: 'APPLIED',
          clientTimeClamped: false,
        }),
      },
      {
        outcome: expect.objectContaining({
          changeId: bad.changeId,
          status: 'REFUSED',
          error: expect.objectContaining({ category: 'VALIDATION', code: 'INVALID_CHANGE' }),
        }),
      },
    ]);
    // The re-seed is announced before the first record, and again in the trailer.
    expect(lines[2]).toEqual({ reseed: { reason: 'NEW_DEVICE', nextSnapshotToken: null } });
    expect(lines.slice(3, -1).every((line) => Object.keys(line).join() === 'change')).toBe(true);
    expect(lines.slice(3, -1)).toContainEqual({
      change: expect.objectContaining({
        entityType: 'profile',
        entityId: user.id,
        op: 'UPSERT',
        data: expect.objectContaining({ displayName: 'Nell on a plane' }),
      }),
    });
    expect(lines.at(-1)).toEqual({
      cursor: expect.stringMatching(/^\d+$/),
      hasMore: false,
      reseed: { reason: 'NEW_DEVICE', nextSnapshotToken: null },
      serverTime: expect.any(String),
      clockSkewMs: expect.any(Number),
    });
  });

  it('refuses whole requests with a typed JSON error and its status, storing nothing', async () => {
    const { user, deviceId } = await aDevice();
    const revoked = await registerSyncDevice(api, user.accessToken);
    await api.gql(UNREGISTER_DEVICE, { deviceId: revoked }, user.accessToken);
    const change = () => profileChange(user.id, { displayName: 'Never stored' }, { baseVersion: 0 });
    const before = await storedFor(api, user.id);
    const cases: [string, string | undefined, string, number, string][] = [
      [ndjson({ deviceId }, change()), undefined, 'application/x-ndjson', 401, 'UNAUTHENTICATED'],
      [ndjson({ deviceId }, change()), user.accessToken, 'application/json', 415, 'VALIDATION'],
      [
        `${JSON.stringify({ deviceId })}\n{oops\n`,
        user.accessToken,
        'application/x-ndjson',
        400,
        'MALFORMED_LINE',
      ],
      ['', user.accessToken, 'application/x-ndjson', 400, 'MALFORMED_LINE'],
      [
        ndjson({ deviceId }, { ...change(), payload: { displayName: 'nul\u0000byte' } }),
        user.accessToken,
        'application/x-ndjson',
        400,
        'INVALID_INPUT',
      ],
      [
        ndjson({ deviceId: randomUUID() }, change()),
        user.accessToken,
        'application/x-ndjson',
        404,
        'DEVICE_NOT_FOUND',
      ],
      [
        ndjson({ deviceId: revoked }, change()),
        user.accessToken,
        'application/x-ndjson',
        403,
        'DEVICE_REVOKED',
      ],
      [
        ndjson({ deviceId, cursor: 'x' }, change()),
        user.accessToken,
        'application/x-ndjson',
        400,
        'CURSOR_INVALID',
      ],
      [
        ndjson({ deviceId }, ...Array.from({ length: SYNC_LIMITS.ndjson.maxChanges + 1 }, change)),
        user.accessToken,
        'application/x-ndjson',
        413,
        'SYNC_TOO_LARGE',
      ],
      [
        ndjson({ deviceId }, { ...change(), payload: { bio: 'x'.repeat(70_000) } }),
        user.accessToken,
        'application/x-ndjson',
        413,
        'SYNC_TOO_LARGE',
      ],
    ];
    for (const [body, token, contentType, status, reason] of cases) {
      const response = await post(body, token, contentType);
      expect(response.statusCode, reason).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const error = response.json<{ error: { code: string; reason?: string; message: string } }>().error;
      expect([error.code, error.reason]).toContain(reason);
      expect(error.message).toEqual(expect.any(String));
    }
    const tooMany = await post(
      ndjson({ deviceId }, ...Array.from({ length: SYNC_LIMITS.ndjson.maxChanges + 1 }, change)),
      user.accessToken,
    );
    expect(tooMany.json().error.details).toMatchObject({
      maxChanges: SYNC_LIMITS.ndjson.maxChanges,
      maxBytes: SYNC_LIMITS.ndjson.maxBytes,
    });
    expect(await storedFor(api, user.id)).toEqual(before);
  });

  it('refuses a body past the byte limit while it is still arriving, and the server stays well', async () => {
    const { user, deviceId } = await aDevice();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    const line = `${JSON.stringify(profileChange(user.id, { bio: 'x'.repeat(1_500) }))}\n`;
    let written = 0;
    const answer = await new Promise<{ status: number; body: string; writtenWhenAnswered: number }>(
      (resolve, reject) => {
        const request = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/sync',
          headers: {
            'content-type': 'application/x-ndjson',
            authorization: `Bearer ${user.accessToken}`,
            'transfer-encoding': 'chunked',
          },
        });
        request.on('response', (response) => {
          const writtenWhenAnswered = written;
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString('utf8');
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body, writtenWhenAnswered }));
        });
        request.on('error', reject);
        request.write(`${JSON.stringify({ deviceId })}\n`);
        // Keeps sending (up to four times the limit) until the server answers.
        const pump = () => {
          while (written < 4 * SYNC_LIMITS.ndjson.maxBytes) {
            written += line.length;
            if (!request.write(line)) return request.once('drain', pump);
          }
          request.end();
        };
        pump();
      },
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: 'VALIDATION', reason: 'SYNC_TOO_LARGE' },
    });
    expect(answer.writtenWhenAnswered).toBeLessThan(4 * SYNC_LIMITS.ndjson.maxBytes);
    expect(await storedFor(api, user.id)).toMatchObject({ receipts: 0 });
    const health = await api.app.inject({ method: 'GET', url: '/health/live' });
    expect(health.statusCode).toBe(200);
  });
});

describe('POST /sync rate limits', () => {
  let limited: IdentityApp;
  beforeAll(async () => {
    limited = await startIdentityApp({ limits: { requests: { max: 5, windowMs: 60_000 } } });
  });
  afterAll(() => limited.close());

  it('counts with the GraphQL requests, a batch one more per 100 changes past its first 100', async () => {
    const user = await registerAndSignIn(limited);
    const deviceId = await registerSyncDevice(limited, user.accessToken);
    // Changes refused on their own (an empty name): the batch's size is what counts here.
    const batch = ndjson(
      { deviceId },
      ...Array.from({ length: 201 }, () => profileChange(user.id, { displayName: '' })),
    );
    const send = () =>
      limited.app.inject({
        method: 'POST',
        url: '/sync',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${user.accessToken}` },
        payload: batch,
      });
    // The caller's budget is 5: the device's registration (signing up and in counted for the
    // address), then this batch, 1 + 2 more for its 201 changes; the same batch again passes the limit.
    expect((await send()).statusCode).toBe(200);
    const refused = await send();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED', reason: 'TOO_MANY_REQUESTS' } });
  });
});
