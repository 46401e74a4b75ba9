import { z } from 'zod';
import {
  ROOM_OPENS_EARLY_MS,
  ROOM_STAYS_OPEN_MS,
  type VideoRoom,
  VideoRoomError,
  type VideoRoomProvider,
  type VideoRoomRequest,
} from './port.ts';

/**
 * Daily.co (https://docs.daily.co/reference/rest-api) over its REST API, a deliberately small
 * subset of it:
 *
 * - `POST /rooms` `{ name, privacy: 'private', properties: { nbf, exp } }` (Unix seconds) → the room
 *   `{ name, url, ... }`. A name already taken answers 400 `{ error: 'invalid-request-error',
 *   info: 'a room named … already exists' }` (409 is accepted too); the room is then read with
 * - `GET /rooms/:name` → the room, 404 `{ error: 'not-found' }` when there is none.
 * - `DELETE /rooms/:name` → `{ deleted: true, name }`; 404 counts as done.
 *
 * Every request sends `Authorization: Bearer <DAILY_API_KEY>` and has a timeout. Nothing is
 * retried here: the one caller (scheduling) reports a transient failure to the person, who tries
 * again, so a Daily outage never multiplies into a storm of requests.
 */
export interface DailyOptions {
  apiKey: string;
  /** Default `https://api.daily.co/v1`. */
  baseUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export const DAILY_DEFAULT_URL = 'https://api.daily.co/v1';

const room = z.object({ name: z.string().min(1), url: z.string().min(1) });
const errorBody = z.object({ error: z.string().optional(), info: z.string().optional() }).loose();

export function createDailyVideoRooms(options: DailyOptions): VideoRoomProvider {
  const baseUrl = (options.baseUrl ?? DAILY_DEFAULT_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;

  async function call(method: string, path: string, body?: unknown) {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new VideoRoomError(
          'VIDEO_ROOM_TIMEOUT',
          `Daily did not answer ${method} ${path} in ${timeoutMs} ms`,
        );
      }
      throw new VideoRoomError(
        'VIDEO_ROOM_UNAVAILABLE',
        `Daily could not be reached (${method} ${path})`,
        undefined,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  function failure(method: string, path: string, status: number, json: unknown): VideoRoomError {
    const parsed = errorBody.safeParse(json);
    const said = parsed.success ? [parsed.data.error, parsed.data.info].filter(Boolean).join(': ') : '';
    const what = `Daily answered ${status} to ${method} ${path}${said ? ` (${said})` : ''}`;
    if (status === 429 || status >= 500) return new VideoRoomError('VIDEO_ROOM_UNAVAILABLE', what, status);
    return new VideoRoomError('VIDEO_ROOM_REJECTED', what, status);
  }

  function roomOf(json: unknown, path: string): VideoRoom {
    const parsed = room.safeParse(json);
    if (!parsed.success) {
      throw new VideoRoomError('VIDEO_ROOM_INVALID_RESPONSE', `Daily's answer to ${path} is not a room`);
    }
    return { provider: 'daily', roomName: parsed.data.name, url: parsed.data.url };
  }

  const alreadyExists = (status: number, json: unknown) => {
    if (status === 409) return true;
    const parsed = errorBody.safeParse(json);
    return status === 400 && parsed.success && /already exists/i.test(parsed.data.info ?? '');
  };

  return {
    name: 'daily',
    hasMedia: true,
    async createRoom(request: VideoRoomRequest) {
      const name = roomName(request.sessionId);
      const body = {
        name,
        privacy: 'private',
        properties: {
          nbf: unixSeconds(Date.parse(request.startsAt) - ROOM_OPENS_EARLY_MS),
          exp: unixSeconds(Date.parse(request.endsAt) + ROOM_STAYS_OPEN_MS),
        },
      };
      const created = await call('POST', '/rooms', body);
      if (created.status === 200) return roomOf(created.json, '/rooms');
      if (!alreadyExists(created.status, created.json)) {
        throw failure('POST', '/rooms', created.status, created.json);
      }
      // Made by an earlier attempt at scheduling the same session: that room is this session's.
      const path = `/rooms/${encodeURIComponent(name)}`;
      const existing = await call('GET', path);
      if (existing.status === 200) return roomOf(existing.json, path);
      throw failure('GET', path, existing.status, existing.json);
    },
    async deleteRoom(name: string) {
      const path = `/rooms/${encodeURIComponent(roomName(name))}`;
      const deleted = await call('DELETE', path);
      if (deleted.status === 200 || deleted.status === 404) return;
      throw failure('DELETE', path, deleted.status, deleted.json);
    },
  };
}

/** Daily room names are `[A-Za-z0-9_-]`, at most 128; a session id (a UUID) always fits. */
function roomName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) {
    throw new VideoRoomError('VIDEO_ROOM_REJECTED', 'A Daily room name is 1..128 of A-Z a-z 0-9 _ -');
  }
  return name;
}

const unixSeconds = (ms: number) => Math.floor(ms / 1000);
