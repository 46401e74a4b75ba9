import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoRoomProvider } from '../../src/video-rooms/create-video-rooms.ts';
import { createDailyVideoRooms } from '../../src/video-rooms/daily-provider.ts';
import { createLocalVideoRooms } from '../../src/video-rooms/local-provider.ts';
import { VideoRoomError } from '../../src/video-rooms/port.ts';
import { type DailyTestServer, startDailyTestServer } from '../support/daily-test-server.ts';

const startsAt = '2030-03-04T10:00:00.000Z';
const endsAt = '2030-03-04T11:00:00.000Z';

describe('Daily.co video rooms', () => {
  let daily: DailyTestServer;
  beforeAll(async () => {
    daily = await startDailyTestServer();
  });
  afterAll(() => daily.close());
  beforeEach(() => {
    daily.requests.length = 0;
  });

  const provider = (timeoutMs = 2_000) =>
    createDailyVideoRooms({ apiKey: daily.apiKey, baseUrl: daily.baseUrl, timeoutMs });

  it('creates a private room named after the session, open 15 min early until 30 min late', async () => {
    const sessionId = randomUUID();
    const room = await provider().createRoom({ sessionId, startsAt, endsAt });
    expect(room).toEqual({
      provider: 'daily',
      roomName: sessionId,
      url: `https://chronicle-test.daily.co/${sessionId}`,
    });
    expect(daily.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/rooms',
        authorization: `Bearer ${daily.apiKey}`,
        body: {
          name: sessionId,
          privacy: 'private',
          properties: {
            nbf: Date.parse('2030-03-04T09:45:00Z') / 1000,
            exp: Date.parse('2030-03-04T11:30:00Z') / 1000,
          },
        },
      },
    ]);
  });

  it('finds the room an earlier attempt made instead of failing on the taken name', async () => {
    const sessionId = randomUUID();
    const first = await provider().createRoom({ sessionId, startsAt, endsAt });
    const again = await provider().createRoom({ sessionId, startsAt, endsAt });
    expect(again).toEqual(first);
    expect(daily.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/rooms',
      'POST /v1/rooms',
      `GET /v1/rooms/${sessionId}`,
    ]);
    expect(daily.rooms.size).toBeGreaterThan(0);
  });

  it('deletes rooms, and deleting one that is gone succeeds', async () => {
    const sessionId = randomUUID();
    await provider().createRoom({ sessionId, startsAt, endsAt });
    await provider().deleteRoom(sessionId);
    expect(daily.rooms.has(sessionId)).toBe(false);
    await expect(provider().deleteRoom(sessionId)).resolves.toBeUndefined();
    expect(daily.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/v1/rooms/${sessionId}` });
  });

  it('a wrong API key is VIDEO_ROOM_REJECTED, with the status, and nothing is retried', async () => {
    const wrong = createDailyVideoRooms({ apiKey: 'wrong', baseUrl: daily.baseUrl });
    const error = await wrong.createRoom({ sessionId: randomUUID(), startsAt, endsAt }).catch((e) => e);
    expect(error).toBeInstanceOf(VideoRoomError);
    expect(error).toMatchObject({ code: 'VIDEO_ROOM_REJECTED', status: 401 });
    expect(error.message).toContain('authentication-error');
    expect(daily.requests).toHaveLength(1);
  });

  it('rate limits and server errors are VIDEO_ROOM_UNAVAILABLE after one request', async () => {
    daily.failNext({ kind: 'status', status: 429 }, { kind: 'status', status: 503 });
    for (const status of [429, 503]) {
      await expect(
        provider().createRoom({ sessionId: randomUUID(), startsAt, endsAt }),
      ).rejects.toMatchObject({
        code: 'VIDEO_ROOM_UNAVAILABLE',
        status,
      });
    }
    expect(daily.requests).toHaveLength(2);
  });

  it('a provider that does not answer in time is VIDEO_ROOM_TIMEOUT', async () => {
    daily.failNext({ kind: 'stall' });
    const started = performance.now();
    await expect(
      provider(200).createRoom({ sessionId: randomUUID(), startsAt, endsAt }),
    ).rejects.toMatchObject({
      code: 'VIDEO_ROOM_TIMEOUT',
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('an unreachable provider is VIDEO_ROOM_UNAVAILABLE', async () => {
    const closed = await startDailyTestServer();
    await closed.close();
    const nowhere = createDailyVideoRooms({ apiKey: 'k', baseUrl: closed.baseUrl, timeoutMs: 1_000 });
    await expect(nowhere.createRoom({ sessionId: randomUUID(), startsAt, endsAt })).rejects.toMatchObject({
      code: 'VIDEO_ROOM_UNAVAILABLE',
    });
  });

  it('refuses a room name Daily would not accept before asking it', async () => {
    await expect(
      provider().createRoom({ sessionId: 'no spaces allowed', startsAt, endsAt }),
    ).rejects.toMatchObject({
      code: 'VIDEO_ROOM_REJECTED',
    });
    expect(daily.requests).toHaveLength(0);
  });

  it('the test server refuses bad bodies with 400, as Daily does', async () => {
    const response = await fetch(`${daily.baseUrl}/rooms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${daily.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: randomUUID(), properties: { exp: 'tomorrow' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid-request-error' });
  });
});

describe('choosing a video room provider', () => {
  it('is Daily with a DAILY_API_KEY (at DAILY_API_URL), the local no-media rooms without', async () => {
    expect(
      createVideoRoomProvider({ DAILY_API_KEY: 'k', DAILY_API_URL: 'http://127.0.0.1:1/v1' }),
    ).toMatchObject({
      name: 'daily',
      hasMedia: true,
    });
    const local = createVideoRoomProvider({});
    expect(local).toMatchObject({ name: 'local', hasMedia: false });
    const sessionId = randomUUID();
    expect(await local.createRoom({ sessionId, startsAt, endsAt })).toEqual({
      provider: 'local',
      roomName: sessionId,
      url: `local://no-media/${sessionId}`,
    });
    await expect(createLocalVideoRooms().deleteRoom(sessionId)).resolves.toBeUndefined();
  });
});
