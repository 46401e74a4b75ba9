import type { SessionEvent } from './session-events.ts';
import type { SessionSide, SessionStatus, VideoRoomRef } from './session-values.ts';

export interface SessionNote {
  authorId: string;
  /** Null once the author is forgotten. */
  notes: string | null;
  at: string;
}

export interface SessionRating {
  raterId: string;
  rating: number;
  comment: string | null;
  at: string;
}

export interface MentorshipSession {
  status: SessionStatus;
  sessionId: string;
  matchRequestId: string;
  mentorId: string;
  learnerId: string;
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
  room: VideoRoomRef;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  notes: readonly SessionNote[];
  ratings: Readonly<Partial<Record<SessionSide, SessionRating>>>;
}

/** `expired`: never recorded, and its calendar hold ran out (see calendar-decider). */
export type SessionState = { status: 'none' } | { status: 'expired' } | MentorshipSession;

export const initialSessionState: SessionState = { status: 'none' };

export const isSession = (state: SessionState): state is MentorshipSession =>
  state.status !== 'none' && state.status !== 'expired';

export function evolveSession(state: SessionState, event: SessionEvent): SessionState {
  if (event.type === 'MentorshipSessionScheduled') {
    const { scheduledBy: _by, ...data } = event.data;
    return {
      status: 'scheduled',
      ...data,
      startedAt: null,
      endedAt: null,
      durationSeconds: null,
      notes: [],
      ratings: {},
    };
  }
  if (event.type === 'MentorshipSessionHoldExpired')
    return state.status === 'none' ? { status: 'expired' } : state;
  if (!isSession(state)) return state;
  switch (event.type) {
    case 'MentorshipSessionStarted':
      return { ...state, status: 'started', startedAt: event.data.startedAt };
    case 'MentorshipSessionEnded':
      return {
        ...state,
        status: 'ended',
        endedAt: event.data.endedAt,
        durationSeconds: event.data.durationSeconds,
      };
    case 'MentorshipSessionCancelled':
      return { ...state, status: 'cancelled' };
    case 'MentorshipSessionNotesAdded': {
      const { authorId, notes, at } = event.data;
      return { ...state, notes: [...state.notes, { authorId, notes, at }] };
    }
    case 'MentorshipSessionRated': {
      const { by, raterId, rating, comment, at } = event.data;
      return { ...state, ratings: { ...state.ratings, [by]: { raterId, rating, comment, at } } };
    }
    default:
      return state;
  }
}
