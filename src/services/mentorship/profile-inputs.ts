import { z } from 'zod';
import { LEVELS, TEACHING_STYLES } from '../../domain/mentorship/values.ts';

/**
 * The shapes the API accepts for profiles. The deciders check values in depth (subject, language
 * and time zone rules after normalising); these only bound sizes, loosely enough that the
 * deciders' reasons (INVALID_TIME_ZONE, TOO_MANY_SUBJECTS, ...) are what a caller usually sees.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const shortText = z.string().max(200);
const slot = z.object({ day: z.number().int(), start: z.string().max(10), end: z.string().max(10) });

export const upsertMentorProfileInput = z.object({
  input: z.object({
    subjects: z.array(z.object({ subject: shortText, level: z.enum(LEVELS) })).max(100),
    styles: z.array(z.enum(TEACHING_STYLES)).max(20),
    languages: z.array(shortText).max(50),
    availability: z.array(slot).max(200),
    timeZone: shortText,
    capacity: z.number().int(),
    accepting: z.boolean(),
  }),
  idempotencyKey,
});

export const upsertLearnerProfileInput = z.object({
  input: z.object({
    goals: z.array(z.string().max(2_000)).max(50),
    subjects: z.array(shortText).max(100),
    preferredStyle: z.enum(TEACHING_STYLES).nullish(),
    languages: z.array(shortText).max(50),
    availability: z.array(slot).max(200),
    timeZone: shortText,
  }),
  idempotencyKey,
});
