import type { VideoRoomRef } from './session-values.ts';

/**
 * What the service read from the match request's own stream before scheduling: a decider sees only
 * its own stream. Null when there is no such request.
 */
export interface MatchFacts {
  requestId: string;
  learnerId: string;
  /** Null until a mentor is matched. */
  mentorId: string | null;
  matched: boolean;
  /** The mentorship was ended (`endMentorship`): no new sessions. */
  ended: boolean;
}

export interface ScheduleSessionRequest {
  sessionId: string;
  matchRequestId: string;
  match: MatchFacts | null;
  /** An ISO 8601 instant, as the person sent it. */
  startsAt: string;
  durationMinutes: number;
}

export type SessionCommand =
  | ({ type: 'ScheduleSession'; room: VideoRoomRef } & ScheduleSessionRequest)
  | { type: 'StartSession' }
  | { type: 'EndSession' }
  | { type: 'CancelSession'; reason?: string }
  | { type: 'AddSessionNotes'; notes: string }
  | { type: 'RateSession'; rating: number; comment?: string }
  /**
   * (system) A calendar booking for this session is older than the hold and the session was never
   * recorded: mark it dead so it can never be recorded, and the booked time can be freed.
   */
  | { type: 'ExpireSessionHold'; sessionId: string; heldSince: string };
