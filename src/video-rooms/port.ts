/**
 * Where mentorship sessions meet: a provider makes a room per session and deletes it when the
 * session is cancelled. Room names are the session ids, so making a room again for the same session
 * finds the one already made.
 */
export interface VideoRoomRequest {
  /** Also the room's name. */
  sessionId: string;
  /** ISO 8601 instants: the room opens a little before and closes a little after (see adapters). */
  startsAt: string;
  endsAt: string;
}

export interface VideoRoom {
  provider: string;
  roomName: string;
  url: string;
}

export interface VideoRoomProvider {
  readonly name: string;
  /** False for the local development provider: its rooms carry no audio or video at all. */
  readonly hasMedia: boolean;
  createRoom(request: VideoRoomRequest): Promise<VideoRoom>;
  /** Deleting a room that does not exist (any more) succeeds. */
  deleteRoom(roomName: string): Promise<void>;
}

export const VIDEO_ROOM_ERROR_CODES = [
  /** The provider did not answer in time. */
  'VIDEO_ROOM_TIMEOUT',
  /** Rate limited, a 5xx or a connection failure: worth trying again later. */
  'VIDEO_ROOM_UNAVAILABLE',
  /** Refused: a bad API key or a request the provider does not accept. An operator's problem. */
  'VIDEO_ROOM_REJECTED',
  /** The provider answered something this adapter does not understand. */
  'VIDEO_ROOM_INVALID_RESPONSE',
] as const;
export type VideoRoomErrorCode = (typeof VIDEO_ROOM_ERROR_CODES)[number];

export class VideoRoomError extends Error {
  constructor(
    readonly code: VideoRoomErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VideoRoomError';
  }
}

/** How long after its scheduled end a room stays open, and how early it opens. */
export const ROOM_OPENS_EARLY_MS = 15 * 60_000;
export const ROOM_STAYS_OPEN_MS = 30 * 60_000;
