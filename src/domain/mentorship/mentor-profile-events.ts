import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { capacity, language, mentorSubject, teachingStyle, timeZone, weeklySlots } from './values.ts';

export const MAX_MENTOR_SUBJECTS = 20;
export const MAX_LANGUAGES = 10;

/** The profile as a whole: every upsert records all of it, so a reader needs only the last one. */
export const mentorProfileData = z.object({
  subjects: z.array(mentorSubject).min(1).max(MAX_MENTOR_SUBJECTS),
  styles: z.array(teachingStyle).min(1),
  languages: z.array(language).min(1).max(MAX_LANGUAGES),
  availability: weeklySlots,
  timeZone,
  capacity,
  accepting: z.boolean(),
});
export type MentorProfileData = z.infer<typeof mentorProfileData>;

export const mentorProfileEventSchemas = {
  MentorProfileUpserted: mentorProfileData.extend({ mentorId: z.uuid() }),
  /** `activeMentees` is the count after this mentee joined. */
  MenteeAdded: z.object({
    mentorId: z.uuid(),
    requestId: z.uuid(),
    learnerId: z.uuid(),
    activeMentees: z.number().int().min(1),
  }),
  /** `activeMentees` is the count after this mentee left. */
  MenteeReleased: z.object({
    mentorId: z.uuid(),
    requestId: z.uuid(),
    learnerId: z.uuid(),
    reason: z.enum(['match_cancelled', 'mentorship_ended']),
    activeMentees: z.number().int().min(0),
  }),
};

type Schemas = typeof mentorProfileEventSchemas;
export type MentorProfileEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type MentorProfileEventOf<Type extends MentorProfileEvent['type']> = Extract<
  MentorProfileEvent,
  { type: Type }
>;

/** A mentor's profile is what learners are matched on: no free text, nothing personal to erase. */
export const mentorProfileEventCatalogue: EventCatalogue<MentorProfileEvent> = {
  MentorProfileUpserted: {
    type: 'MentorProfileUpserted',
    schemaVersion: 1,
    schema: mentorProfileEventSchemas.MentorProfileUpserted,
    // What a mentor offers to be matched on. Weekly availability and time zone are not public: they
    // tell when a person is free and roughly where they live, which is not the platform's to hand out.
    publicFields: ['mentorId', 'subjects', 'styles', 'languages', 'capacity', 'accepting'],
  },
  MenteeAdded: { type: 'MenteeAdded', schemaVersion: 1, schema: mentorProfileEventSchemas.MenteeAdded },
  MenteeReleased: {
    type: 'MenteeReleased',
    schemaVersion: 1,
    schema: mentorProfileEventSchemas.MenteeReleased,
  },
};
