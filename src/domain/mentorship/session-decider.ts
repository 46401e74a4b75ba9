import { validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { holdExpired } from './calendar-decider.ts';
import type { ScheduleSessionRequest, SessionCommand } from './session-commands.ts';
import { type SessionEvent, sessionEventCatalogue } from './session-events.ts';
import { isAdmin, personOf, requireParticipant } from './session-policy.ts';
import {
  evolveSession,
  initialSessionState,
  isSession,
  type MentorshipSession,
  type SessionState,
} from './session-state.ts';
import {
  cancelReason,
  EARLY_START_MS,
  MAX_DAYS_AHEAD,
  MAX_NOTES_PER_SESSION,
  ratingComment,
  sessionMinutes,
  sessionNotes,
  sessionRating,
} from './session-values.ts';

type CommandOf<Type extends SessionCommand['type']> = Extract<SessionCommand, { type: Type }>;

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: initialSessionState,
  evolve: evolveSession,
  decide(command, state, context) {
    if (command.type === 'ScheduleSession') return scheduleSession(command, state, context);
    if (command.type === 'ExpireSessionHold') return expireHold(command, state, context);
    if (!isSession(state)) throw notFound('SESSION_NOT_FOUND', 'No such mentorship session');
    switch (command.type) {
      case 'StartSession':
        return startSession(state, context);
      case 'EndSession':
        return endSession(state, context);
      case 'CancelSession':
        return cancelSession(command, state, context);
      case 'AddSessionNotes':
        return addNotes(command, state, context);
      case 'RateSession':
        return rateSession(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown session command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The session aggregate as the command pipeline takes it. */
export const sessionAggregate = { decider: sessionDecider, catalogue: sessionEventCatalogue };

export interface SessionPlan {
  mentorId: string;
  learnerId: string;
  scheduledBy: string;
  /** Normalised to UTC (`toISOString`). */
  startsAt: string;
  endsAt: string;
  durationMinutes: number;
}

/**
 * Whether the caller may schedule this session, and when it runs. The service asks before booking
 * anything, so a refused request writes nothing; the decider asks again when recording it.
 */
export function planSession(request: ScheduleSessionRequest, { actor, now }: DecisionContext): SessionPlan {
  const { match } = request;
  if (match === null || match.requestId !== request.matchRequestId) {
    throw notFound('MATCH_REQUEST_NOT_FOUND', 'No such match request');
  }
  const person = personOf(actor);
  const participants = [match.learnerId, match.mentorId];
  if (person === null || !participants.includes(person)) {
    throw forbidden('NOT_A_PARTICIPANT', 'Only the matched mentor and learner schedule sessions');
  }
  if (!match.matched || match.mentorId === null) {
    throw conflict('NOT_MATCHED', 'Sessions are scheduled once the request is matched');
  }
  if (match.ended) throw conflict('MENTORSHIP_ENDED', 'This mentorship was ended; no new sessions');
  const durationMinutes = validOr(sessionMinutes, request.durationMinutes, 'INVALID_DURATION', 'duration');
  const startsAtMs = Date.parse(request.startsAt);
  if (Number.isNaN(startsAtMs)) throw validation('INVALID_START', 'startsAt is not an instant');
  if (startsAtMs <= now.getTime()) throw validation('START_IN_PAST', 'A session starts in the future');
  if (startsAtMs > now.getTime() + MAX_DAYS_AHEAD * 86_400_000) {
    throw validation('START_TOO_FAR_AHEAD', `Sessions are booked at most ${MAX_DAYS_AHEAD} days ahead`);
  }
  return {
    mentorId: match.mentorId,
    learnerId: match.learnerId,
    scheduledBy: person,
    startsAt: new Date(startsAtMs).toISOString(),
    endsAt: new Date(startsAtMs + durationMinutes * 60_000).toISOString(),
    durationMinutes,
  };
}

function scheduleSession(
  command: CommandOf<'ScheduleSession'>,
  state: SessionState,
  context: DecisionContext,
): SessionEvent[] {
  if (state.status === 'expired') {
    throw conflict('SESSION_HOLD_EXPIRED', 'The booking for this session expired before it was recorded');
  }
  if (state.status !== 'none') throw conflict('SESSION_EXISTS', 'This session already exists');
  const { scheduledBy, ...plan } = planSession(command, context);
  return [
    {
      type: 'MentorshipSessionScheduled',
      data: {
        sessionId: command.sessionId,
        matchRequestId: command.matchRequestId,
        ...plan,
        room: command.room,
        scheduledBy,
      },
    },
  ];
}

function expireHold(
  command: CommandOf<'ExpireSessionHold'>,
  state: SessionState,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  if (actor.kind !== 'system') throw forbidden('SYSTEM_ONLY', 'Only the system expires booking holds');
  if (state.status === 'expired') return [];
  if (state.status !== 'none') throw conflict('SESSION_EXISTS', 'The session was recorded');
  if (!holdExpired(command.heldSince, now)) {
    throw conflict('HOLD_NOT_EXPIRED', 'The booking is still held for a scheduler at work');
  }
  return [
    {
      type: 'MentorshipSessionHoldExpired',
      data: { sessionId: command.sessionId, heldSince: command.heldSince, at: now.toISOString() },
    },
  ];
}

function startSession(session: MentorshipSession, { actor, now }: DecisionContext): SessionEvent[] {
  const { personId } = requireParticipant(session, actor, 'start it');
  if (session.status === 'started') return [];
  requireStatus(session, 'scheduled', 'start');
  if (now.getTime() < Date.parse(session.startsAt) - EARLY_START_MS) {
    throw conflict('TOO_EARLY_TO_START', 'A session starts at most 15 minutes before its time');
  }
  if (now.getTime() >= Date.parse(session.endsAt)) {
    throw conflict('SESSION_TIME_PASSED', 'The time booked for this session has passed');
  }
  return [
    {
      type: 'MentorshipSessionStarted',
      data: { sessionId: session.sessionId, startedBy: personId, startedAt: now.toISOString() },
    },
  ];
}

function endSession(session: MentorshipSession, { actor, now }: DecisionContext): SessionEvent[] {
  const { personId } = requireParticipant(session, actor, 'end it');
  if (session.status === 'ended') return [];
  requireStatus(session, 'started', 'end');
  const startedAt = Date.parse(session.startedAt ?? session.startsAt);
  return [
    {
      type: 'MentorshipSessionEnded',
      data: {
        sessionId: session.sessionId,
        endedBy: personId,
        endedAt: now.toISOString(),
        durationSeconds: Math.max(0, Math.round((now.getTime() - startedAt) / 1000)),
      },
    },
  ];
}

function cancelSession(
  command: CommandOf<'CancelSession'>,
  session: MentorshipSession,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  const cancelledBy = isAdmin(actor)
    ? personOf(actor)
    : requireParticipant(session, actor, 'cancel it').personId;
  if (cancelledBy === null) throw forbidden('NOT_A_PARTICIPANT', 'Only participants cancel a session');
  if (session.status === 'cancelled') return [];
  if (session.status !== 'scheduled') {
    throw conflict('SESSION_ALREADY_STARTED', 'A session that started can no longer be cancelled');
  }
  const reason = validOr(cancelReason, command.reason ?? '', 'INVALID_REASON', 'reason');
  return [
    {
      type: 'MentorshipSessionCancelled',
      data: {
        sessionId: session.sessionId,
        cancelledBy,
        reason: reason === '' ? null : reason,
        at: now.toISOString(),
      },
    },
  ];
}

function addNotes(
  command: CommandOf<'AddSessionNotes'>,
  session: MentorshipSession,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  const { personId } = requireParticipant(session, actor, 'add notes to it');
  const notes = validOr(sessionNotes, command.notes, 'INVALID_NOTES', 'notes');
  if (session.notes.length >= MAX_NOTES_PER_SESSION) {
    throw conflict('TOO_MANY_NOTES', `A session holds at most ${MAX_NOTES_PER_SESSION} notes`);
  }
  return [
    {
      type: 'MentorshipSessionNotesAdded',
      data: { sessionId: session.sessionId, authorId: personId, notes, at: now.toISOString() },
    },
  ];
}

function rateSession(
  command: CommandOf<'RateSession'>,
  session: MentorshipSession,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  const { side, personId } = requireParticipant(session, actor, 'rate it');
  const rating = validOr(sessionRating, command.rating, 'INVALID_RATING', 'rating');
  const comment = validOr(ratingComment, command.comment ?? '', 'INVALID_COMMENT', 'comment');
  if (session.status !== 'ended') throw conflict('SESSION_NOT_ENDED', 'A session is rated after it ended');
  if (session.ratings[side]) throw conflict('ALREADY_RATED', 'You already rated this session');
  return [
    {
      type: 'MentorshipSessionRated',
      data: {
        sessionId: session.sessionId,
        by: side,
        raterId: personId,
        rating,
        comment: comment === '' ? null : comment,
        at: now.toISOString(),
      },
    },
  ];
}

/** Refusals name the state the session is in: SESSION_NOT_STARTED, SESSION_ENDED, SESSION_CANCELLED. */
function requireStatus(session: MentorshipSession, status: MentorshipSession['status'], action: string) {
  if (session.status === status) return;
  const reason =
    session.status === 'scheduled' ? 'SESSION_NOT_STARTED' : `SESSION_${session.status.toUpperCase()}`;
  throw conflict(reason, `A ${session.status} session cannot ${action}`, { status: session.status });
}
