import { z } from 'zod';

/** The values a mentorship session is made of; events are built from them, deciders validate with them. */

export const MIN_SESSION_MINUTES = 15;
export const MAX_SESSION_MINUTES = 180;
export const sessionMinutes = z.number().int().min(MIN_SESSION_MINUTES).max(MAX_SESSION_MINUTES);

/** Sessions are booked at most this far ahead. */
export const MAX_DAYS_AHEAD = 365;
/** A session may be started this long before its scheduled time. */
export const EARLY_START_MS = 15 * 60_000;

export const SESSION_STATUSES = ['scheduled', 'started', 'ended', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const SESSION_SIDES = ['mentor', 'learner'] as const;
export type SessionSide = (typeof SESSION_SIDES)[number];

export const sessionRating = z.number().int().min(1).max(5);
export const MAX_COMMENT_LENGTH = 2_000;
export const ratingComment = z.string().trim().max(MAX_COMMENT_LENGTH);
export const MAX_NOTES_LENGTH = 10_000;
export const sessionNotes = z.string().trim().min(1).max(MAX_NOTES_LENGTH);
/** Notes per session, so a stream stays small enough to read on every command. */
export const MAX_NOTES_PER_SESSION = 100;
export const MAX_REASON_LENGTH = 500;
export const cancelReason = z.string().trim().max(MAX_REASON_LENGTH);

/**
 * The video room a session meets in, as the provider made it. `hasMedia` is false for the local
 * development provider, whose URL carries no audio or video at all.
 */
export const videoRoomRef = z.object({
  provider: z.string().min(1).max(40),
  roomName: z.string().min(1).max(128),
  url: z.string().min(1).max(2_000),
  hasMedia: z.boolean(),
});
export type VideoRoomRef = z.infer<typeof videoRoomRef>;
