import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const instant = z.iso.datetime();

export const SLOT_RELEASE_REASONS = [
  /** The session was cancelled. */
  'cancelled',
  /** Scheduling booked this slot, then a later step failed (the other calendar, the room, the session). */
  'scheduling_failed',
  /** Found cancelled or never recorded (its hold expired) while booking an overlapping slot. */
  'session_gone',
] as const;
export type SlotReleaseReason = (typeof SLOT_RELEASE_REASONS)[number];

/**
 * A person's mentorship calendar (`calendar-<userId>`): the intervals booked for sessions. One
 * stream per person, so two schedulers racing for overlapping times append to the same stream and
 * optimistic concurrency lets exactly one of them book.
 */
export const calendarEventSchemas = {
  CalendarSlotBooked: z.object({
    userId: z.uuid(),
    sessionId: z.uuid(),
    startsAt: instant,
    endsAt: instant,
    /** The booking command's time: how old an unrecorded booking's hold is (see calendar-decider). */
    bookedAt: instant,
  }),
  CalendarSlotReleased: z.object({
    userId: z.uuid(),
    sessionId: z.uuid(),
    reason: z.enum(SLOT_RELEASE_REASONS),
  }),
};

type Schemas = typeof calendarEventSchemas;
export type CalendarEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const calendarEventCatalogue: EventCatalogue<CalendarEvent> = {
  CalendarSlotBooked: {
    type: 'CalendarSlotBooked',
    schemaVersion: 1,
    schema: calendarEventSchemas.CalendarSlotBooked,
  },
  CalendarSlotReleased: {
    type: 'CalendarSlotReleased',
    schemaVersion: 1,
    schema: calendarEventSchemas.CalendarSlotReleased,
  },
};
