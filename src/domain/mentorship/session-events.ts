import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { SESSION_SIDES, sessionMinutes, sessionRating, videoRoomRef } from './session-values.ts';

const sessionId = z.uuid();
const instant = z.iso.datetime();
/** Free text a person wrote: encrypted with their key, null once they are forgotten. */
const personal = z.string().nullable();

/** A mentorship session (`mentorsession-<id>`) between a matched mentor and learner. */
export const sessionEventSchemas = {
  MentorshipSessionScheduled: z.object({
    sessionId,
    matchRequestId: z.uuid(),
    mentorId: z.uuid(),
    learnerId: z.uuid(),
    startsAt: instant,
    endsAt: instant,
    durationMinutes: sessionMinutes,
    room: videoRoomRef,
    scheduledBy: z.uuid(),
  }),
  MentorshipSessionStarted: z.object({ sessionId, startedBy: z.uuid(), startedAt: instant }),
  MentorshipSessionEnded: z.object({
    sessionId,
    endedBy: z.uuid(),
    endedAt: instant,
    durationSeconds: z.number().int().min(0),
  }),
  MentorshipSessionCancelled: z.object({ sessionId, cancelledBy: z.uuid(), reason: personal, at: instant }),
  MentorshipSessionNotesAdded: z.object({ sessionId, authorId: z.uuid(), notes: personal, at: instant }),
  MentorshipSessionRated: z.object({
    sessionId,
    by: z.enum(SESSION_SIDES),
    raterId: z.uuid(),
    rating: sessionRating,
    comment: personal,
    at: instant,
  }),
  /** The session was never recorded and its calendar hold ran out; it can never be recorded now. */
  MentorshipSessionHoldExpired: z.object({ sessionId, heldSince: instant, at: instant }),
};

type Schemas = typeof sessionEventSchemas;
export type SessionEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type SessionEventOf<Type extends SessionEvent['type']> = Extract<SessionEvent, { type: Type }>;

export const sessionEventCatalogue: EventCatalogue<SessionEvent> = {
  MentorshipSessionScheduled: {
    type: 'MentorshipSessionScheduled',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionScheduled,
  },
  MentorshipSessionStarted: {
    type: 'MentorshipSessionStarted',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionStarted,
  },
  MentorshipSessionEnded: {
    type: 'MentorshipSessionEnded',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionEnded,
  },
  MentorshipSessionCancelled: {
    type: 'MentorshipSessionCancelled',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionCancelled,
    personalFields: ['reason'],
    subject: (data) => data.cancelledBy,
  },
  MentorshipSessionNotesAdded: {
    type: 'MentorshipSessionNotesAdded',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionNotesAdded,
    personalFields: ['notes'],
    subject: (data) => data.authorId,
  },
  MentorshipSessionRated: {
    type: 'MentorshipSessionRated',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionRated,
    personalFields: ['comment'],
    subject: (data) => data.raterId,
  },
  MentorshipSessionHoldExpired: {
    type: 'MentorshipSessionHoldExpired',
    schemaVersion: 1,
    schema: sessionEventSchemas.MentorshipSessionHoldExpired,
  },
};
