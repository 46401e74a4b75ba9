import { uuidv5 } from '../../commands/event-ids.ts';
import { handleCommand } from '../../commands/handle-command.ts';
import { refuseOtherInput } from '../../commands/idempotency.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import {
  type BookingFact,
  type CalendarCommand,
  calendarAggregate,
  holdExpired,
  overlappingBookings,
} from '../../domain/mentorship/calendar-decider.ts';
import { matchRequestAggregate } from '../../domain/mentorship/match-request-decider.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import type { MatchFacts, SessionCommand } from '../../domain/mentorship/session-commands.ts';
import { planSession, sessionAggregate } from '../../domain/mentorship/session-decider.ts';
import { isSession, type MentorshipSession } from '../../domain/mentorship/session-state.ts';
import type { VideoRoomRef } from '../../domain/mentorship/session-values.ts';
import {
  calendarStream,
  matchRequestStream,
  mentorSessionStream,
  mentorStream,
} from '../../domain/mentorship/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { conflict, DomainError, rateLimited } from '../../domain/shared/domain-error.ts';
import { VideoRoomError } from '../../video-rooms/port.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { MentorshipDeps } from './deps.ts';
import {
  cancelSessionInput,
  rateSessionInput,
  scheduleSessionInput,
  sessionIdInput,
  sessionNotesInput,
} from './session-inputs.ts';

/**
 * Mentorship session use cases. Scheduling is a small saga run inline, each step an idempotent
 * command with an id derived from the scheduling command's:
 *
 *   book the mentor's calendar → book the learner's → make the video room → record the session
 *
 * and a failed step undoes the earlier ones (releases the bookings, deletes the room). A crash
 * between steps leaves bookings without a session; they block the time only while their hold
 * lasts (see `calendar-decider.ts`). The session id is the command id, so a retry with the same
 * idempotency key finds its own bookings and room and records the same session.
 */

/** Whoever frees time held by a scheduler that never finished: not a person, so not the caller. */
const CALENDAR_SYSTEM: Actor = { kind: 'system', process: 'mentorship-calendar' };
const STEPS_NAMESPACE = 'c1d7f0a2-6e3b-4f7e-9d2a-5b8c4e1f3a90';
const stepId = (commandId: string, step: string) => uuidv5(`${commandId}:${step}`, STEPS_NAMESPACE);

export async function scheduleSession(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = scheduleSessionInput.parse(raw);
  const { input } = parsed;
  const commandId = commandIdFor(context, 'scheduleSession', parsed);
  const sessionId = commandId;
  // A retry (same idempotency key) of a scheduling that went through finds its session and stops
  // here: replaying the steps would push undo steps for bookings the session relies on, and a room
  // provider hiccup on the retry would then free the calendars under a recorded session.
  const now = nowFrom(deps);
  const existing = await loadAggregate(deps, sessionAggregate, mentorSessionStream(sessionId));
  if (isSession(existing.state)) {
    // Unless the retry asks for another session than the one the key made.
    refuseOtherInput(existing.events, envelope(context, commandId, now, undefined));
    return sessionId;
  }
  const request = {
    sessionId,
    matchRequestId: input.matchRequestId,
    match: await matchFacts(deps, input.matchRequestId),
    startsAt: input.startsAt,
    durationMinutes: input.durationMinutes,
  };
  // Refusals (not a participant, not matched, a bad time) come before anything is written.
  const plan = planSession(request, { actor: context.actor, now });
  const participants = [plan.mentorId, plan.learnerId];
  const span = { sessionId, startsAt: plan.startsAt, endsAt: plan.endsAt };
  const undo: { what: string; run: () => Promise<unknown> }[] = [];
  try {
    for (const [side, userId] of [
      ['mentor', plan.mentorId],
      ['learner', plan.learnerId],
    ] as const) {
      await bookCalendar(deps, context, { userId, side, participants, span, commandId, now });
      undo.push({
        what: `release the ${side}'s calendar`,
        run: () =>
          releaseCalendar(deps, context, userId, participants, sessionId, 'scheduling_failed', commandId),
      });
    }
    const room = await makeRoom(deps, span);
    undo.push({ what: 'delete the video room', run: () => deps.videoRooms.deleteRoom(room.roomName) });
    await execute(
      deps,
      sessionAggregate,
      mentorSessionStream(sessionId),
      envelope(context, commandId, now, { type: 'ScheduleSession', ...request, room }),
    );
  } catch (error) {
    await compensate(deps, undo, sessionId);
    throw error;
  }
  return sessionId;
}

export async function startSession(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = sessionIdInput.parse(raw);
  const { id } = parsed;
  await issue(deps, context, id, commandIdFor(context, `startSession:${id}`, parsed), {
    type: 'StartSession',
  });
  return id;
}

export async function endSession(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = sessionIdInput.parse(raw);
  const { id } = parsed;
  await issue(deps, context, id, commandIdFor(context, `endSession:${id}`, parsed), {
    type: 'EndSession',
  });
  return id;
}

export async function rateSession(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = rateSessionInput.parse(raw);
  const { id, rating, comment } = parsed;
  await issue(deps, context, id, commandIdFor(context, `rateSession:${id}`, parsed), {
    type: 'RateSession',
    rating,
    ...(comment != null ? { comment } : {}),
  });
  return id;
}

export async function addSessionNotes(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = sessionNotesInput.parse(raw);
  const { id, notes } = parsed;
  await issue(deps, context, id, commandIdFor(context, `addSessionNotes:${id}`, parsed), {
    type: 'AddSessionNotes',
    notes,
  });
  return id;
}

/**
 * Cancels, then frees both calendars and deletes the room. Those follow-ups run whenever the
 * session is found cancelled, so asking again completes a cancellation a crash interrupted; and
 * a booking whose session is cancelled no longer blocks anyone even before it is released.
 */
export async function cancelSession(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = cancelSessionInput.parse(raw);
  const { id, reason } = parsed;
  const commandId = commandIdFor(context, `cancelSession:${id}`, parsed);
  await issue(deps, context, id, commandId, { type: 'CancelSession', ...(reason != null ? { reason } : {}) });
  const { state } = await loadAggregate(deps, sessionAggregate, mentorSessionStream(id));
  if (isSession(state) && state.status === 'cancelled') await afterCancel(deps, context, state, commandId);
  return id;
}

/** The session as its stream tells it (notes and rating comments decrypted), or null. */
export async function loadSession(
  deps: MentorshipDeps,
  sessionId: string,
): Promise<MentorshipSession | null> {
  const { state } = await loadAggregate(deps, sessionAggregate, mentorSessionStream(sessionId));
  return isSession(state) ? state : null;
}

async function issue(
  deps: MentorshipDeps,
  context: RequestContext,
  sessionId: string,
  commandId: string,
  command: SessionCommand,
) {
  return execute(
    deps,
    sessionAggregate,
    mentorSessionStream(sessionId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/** The match request as its own stream tells it; null when there is none. */
async function matchFacts(deps: MentorshipDeps, requestId: string): Promise<MatchFacts | null> {
  const { state } = await loadAggregate(deps, matchRequestAggregate, matchRequestStream(requestId));
  if (state.status === 'none') return null;
  const mentorId = state.matchedMentorId;
  const matched = state.status === 'matched';
  // Ending a mentorship releases the mentee on the mentor's stream; the request stays matched.
  const mentor =
    matched && mentorId !== null
      ? (await loadAggregate(deps, mentorProfileAggregate, mentorStream(mentorId))).state
      : undefined;
  const ended = mentor?.status === 'active' && mentor.releasedRequests.includes(requestId);
  return { requestId: state.requestId, learnerId: state.learnerId, mentorId, matched, ended };
}

interface Booking {
  userId: string;
  side: 'mentor' | 'learner';
  participants: readonly string[];
  span: { sessionId: string; startsAt: string; endsAt: string };
  commandId: string;
  now: Date;
}

/**
 * Books one calendar. The calendar decider is handed what each overlapping booking's session is:
 * `active` (recorded, or still within its hold) or `gone` (cancelled, or its hold expired — which
 * this marks on the session's stream first, so the session can never be recorded later).
 * A DOUBLE_BOOKED refusal says whose calendar was full.
 */
async function bookCalendar(deps: MentorshipDeps, context: RequestContext, booking: Booking) {
  const { userId, side, participants, span, commandId, now } = booking;
  const stream = calendarStream(userId);
  const { state } = await loadAggregate(deps, calendarAggregate, stream);
  const overlapping: Record<string, BookingFact> = {};
  for (const [otherId, other] of overlappingBookings(state, span)) {
    overlapping[otherId] = await bookingFact(deps, context, otherId, other.bookedAt, now);
  }
  const command: CalendarCommand = { type: 'BookSlot', userId, ...span, participants, overlapping };
  try {
    const booked = await handleCommand(
      deps,
      calendarAggregate,
      stream,
      envelope(context, stepId(commandId, `book:${userId}`), now, command),
    );
    // A repeat of an attempt that failed and was undone: its booking is gone, and so is the time.
    if (booked.replayed && !state.bookings[span.sessionId]) {
      throw conflict(
        'SCHEDULING_ABANDONED',
        'This scheduling attempt failed before; schedule again with a new key',
      );
    }
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'DOUBLE_BOOKED') {
      throw new DomainError('CONFLICT', 'DOUBLE_BOOKED', `The ${side} already has a session at this time`, {
        calendar: side,
      });
    }
    throw error;
  }
}

async function bookingFact(
  deps: MentorshipDeps,
  context: RequestContext,
  sessionId: string,
  bookedAt: string,
  now: Date,
): Promise<BookingFact> {
  const stream = mentorSessionStream(sessionId);
  const { state } = await loadAggregate(deps, sessionAggregate, stream);
  if (state.status === 'expired' || state.status === 'cancelled') return 'gone';
  if (state.status !== 'none' || !holdExpired(bookedAt, now)) return 'active';
  try {
    await handleCommand(
      deps,
      sessionAggregate,
      stream,
      envelope(
        context,
        stepId(sessionId, 'expire-hold'),
        now,
        { type: 'ExpireSessionHold', sessionId, heldSince: bookedAt },
        CALENDAR_SYSTEM,
      ),
    );
    return 'gone';
  } catch (error) {
    // The late scheduler recorded its session after all: its booking stands.
    if (error instanceof DomainError && error.reason === 'SESSION_EXISTS') return 'active';
    throw error;
  }
}

async function releaseCalendar(
  deps: MentorshipDeps,
  context: RequestContext,
  userId: string,
  participants: readonly string[],
  sessionId: string,
  reason: 'cancelled' | 'scheduling_failed',
  commandId: string,
) {
  return handleCommand(
    deps,
    calendarAggregate,
    calendarStream(userId),
    envelope(context, stepId(commandId, `release:${userId}`), nowFrom(deps), {
      type: 'ReleaseSlot',
      userId,
      sessionId,
      reason,
      participants,
    }),
  );
}

/** A provider that is down or slow is worth trying again later; a refusal is an operator's problem. */
async function makeRoom(
  deps: MentorshipDeps,
  span: { sessionId: string; startsAt: string; endsAt: string },
): Promise<VideoRoomRef> {
  try {
    const room = await deps.videoRooms.createRoom(span);
    return { ...room, hasMedia: deps.videoRooms.hasMedia };
  } catch (error) {
    if (error instanceof VideoRoomError && error.code !== 'VIDEO_ROOM_REJECTED') {
      throw rateLimited(error.code, 'The video service is unavailable; try again shortly', {
        provider: deps.videoRooms.name,
      });
    }
    throw error;
  }
}

/** Last in, first out; a failed undo is logged (the caller needs the original error). */
async function compensate(
  deps: MentorshipDeps,
  undo: { what: string; run: () => Promise<unknown> }[],
  sessionId: string,
) {
  for (const step of undo.reverse()) {
    try {
      await step.run();
    } catch (error) {
      deps.log.error({ err: error, sessionId }, `scheduling failed and could not ${step.what}`);
    }
  }
}

async function afterCancel(
  deps: MentorshipDeps,
  context: RequestContext,
  session: MentorshipSession,
  commandId: string,
) {
  const participants = [session.mentorId, session.learnerId];
  for (const userId of participants) {
    await releaseCalendar(deps, context, userId, participants, session.sessionId, 'cancelled', commandId);
  }
  if (session.room.provider !== deps.videoRooms.name) {
    deps.log.warn(
      { sessionId: session.sessionId, provider: session.room.provider },
      'the room of a cancelled session belongs to a video provider no longer configured; it expires on its own',
    );
    return;
  }
  try {
    await deps.videoRooms.deleteRoom(session.room.roomName);
  } catch (error) {
    // The room closes at its expiry anyway; the cancellation stands.
    deps.log.error(
      { err: error, sessionId: session.sessionId },
      'could not delete the room of a cancelled session',
    );
  }
}
