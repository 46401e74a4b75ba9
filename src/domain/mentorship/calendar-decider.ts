import { recordedAs } from '../brands/brand-access.ts';
import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden } from '../shared/domain-error.ts';
import { type CalendarEvent, calendarEventCatalogue, type SlotReleaseReason } from './calendar-events.ts';

/**
 * Double booking, and why a crash never blocks a calendar for good.
 *
 * Scheduling books the mentor's calendar, then the learner's, then records the session. A booking
 * blocks overlapping bookings while its session may still happen: while the session is scheduled,
 * started or ended, and — before the session is recorded — while its hold lasts. A scheduler that
 * crashed between booking and recording leaves a booking without a session; once it is older than
 * `SESSION_HOLD_MS`, the next scheduler that needs the time first marks that session's own stream
 * `MentorshipSessionHoldExpired` (refused once the session was recorded: the two writes race on one stream,
 * so exactly one of them wins) and then hands the fact in here as `gone`. A session whose hold
 * expired can never be recorded, so the freed time is never claimed twice.
 *
 * The decider sees only its own stream: the service reads each overlapping booking's session and
 * hands in what it found (`overlapping`). A booking it found nothing about (one that appeared
 * after it looked) counts as taken, so a race is always decided against the late comer.
 */
export const SESSION_HOLD_MS = 2 * 60_000;

export interface CalendarBooking {
  startsAt: string;
  endsAt: string;
  bookedAt: string;
}

export interface CalendarState {
  /** Booked slots by session id; released ones are gone. */
  bookings: Readonly<Record<string, CalendarBooking>>;
}

/** What the service found about the session behind an overlapping booking. */
export type BookingFact = 'active' | 'gone';

export type CalendarCommand =
  | {
      type: 'BookSlot';
      /** Whose calendar this is (the stream's id). */
      userId: string;
      sessionId: string;
      startsAt: string;
      endsAt: string;
      /** The session's mentor and learner: only they book each other's time. */
      participants: readonly string[];
      /** By session id, for every other booking the service saw overlapping this one. */
      overlapping: Readonly<Record<string, BookingFact>>;
    }
  | {
      type: 'ReleaseSlot';
      userId: string;
      sessionId: string;
      reason: SlotReleaseReason;
      participants: readonly string[];
    };

export const initialCalendarState: CalendarState = { bookings: {} };

export function evolveCalendar(state: CalendarState, event: CalendarEvent): CalendarState {
  switch (event.type) {
    case 'CalendarSlotBooked': {
      const { sessionId, startsAt, endsAt, bookedAt } = event.data;
      return { bookings: { ...state.bookings, [sessionId]: { startsAt, endsAt, bookedAt } } };
    }
    case 'CalendarSlotReleased': {
      const { [event.data.sessionId]: _released, ...rest } = state.bookings;
      return { bookings: rest };
    }
    default:
      return state;
  }
}

/** Half-open intervals: a session ending at 10:00 and one starting at 10:00 do not overlap. */
export const overlaps = (a: { startsAt: string; endsAt: string }, b: { startsAt: string; endsAt: string }) =>
  Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);

/** The other bookings that overlap `span`, by session id. */
export function overlappingBookings(
  state: CalendarState,
  span: { sessionId: string; startsAt: string; endsAt: string },
): [string, CalendarBooking][] {
  return Object.entries(state.bookings).filter(
    ([sessionId, booking]) => sessionId !== span.sessionId && overlaps(booking, span),
  );
}

/** Whether an unrecorded booking's hold has run out at `now`. */
export const holdExpired = (bookedAt: string, now: Date) =>
  now.getTime() - Date.parse(bookedAt) >= SESSION_HOLD_MS;

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState> = {
  initialState: initialCalendarState,
  evolve: evolveCalendar,
  decide(command, state, context) {
    switch (command.type) {
      case 'BookSlot':
        return bookSlot(command, state, context);
      case 'ReleaseSlot':
        return releaseSlot(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown calendar command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The calendar aggregate as the command pipeline takes it. */
export const calendarAggregate = { decider: calendarDecider, catalogue: calendarEventCatalogue };

type CommandOf<Type extends CalendarCommand['type']> = Extract<CalendarCommand, { type: Type }>;

function bookSlot(
  command: CommandOf<'BookSlot'>,
  state: CalendarState,
  { actor, now }: DecisionContext,
): CalendarEvent[] {
  requireParticipantCalendar(command, actor, false);
  const { userId, sessionId, startsAt, endsAt } = command;
  const existing = state.bookings[sessionId];
  if (existing) {
    if (existing.startsAt === startsAt && existing.endsAt === endsAt) return [];
    throw conflict('SLOT_MISMATCH', 'This session already holds another time on this calendar');
  }
  const released: CalendarEvent[] = [];
  for (const [otherId] of overlappingBookings(state, command)) {
    if (command.overlapping[otherId] !== 'gone') {
      throw conflict('DOUBLE_BOOKED', 'This time overlaps another session on the calendar');
    }
    released.push({
      type: 'CalendarSlotReleased',
      data: { userId, sessionId: otherId, reason: 'session_gone' },
    });
  }
  return [
    ...released,
    {
      type: 'CalendarSlotBooked',
      data: { userId, sessionId, startsAt, endsAt, bookedAt: now.toISOString() },
    },
  ];
}

function releaseSlot(
  command: CommandOf<'ReleaseSlot'>,
  state: CalendarState,
  { actor }: DecisionContext,
): CalendarEvent[] {
  requireParticipantCalendar(command, actor, true);
  if (!state.bookings[command.sessionId]) return [];
  const { userId, sessionId, reason } = command;
  return [{ type: 'CalendarSlotReleased', data: { userId, sessionId, reason } }];
}

/**
 * A calendar is booked for a session of its owner's, by one of that session's participants (or the
 * system); admins may also release (they may cancel any session).
 */
function requireParticipantCalendar(
  command: { userId: string; participants: readonly string[] },
  actor: Actor,
  adminMay: boolean,
): void {
  if (!command.participants.includes(command.userId)) {
    throw forbidden('NOT_A_PARTICIPANT', 'Only a session participant’s calendar holds the session');
  }
  if (actor.kind === 'system') return;
  if (adminMay && actor.kind === 'user' && actor.role === 'admin') return;
  if (!command.participants.includes(recordedAs(actor))) {
    throw forbidden('NOT_A_PARTICIPANT', 'Only the session’s mentor and learner book its time');
  }
}
