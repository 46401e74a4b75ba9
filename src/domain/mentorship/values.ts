import { z } from 'zod';
import { validation } from '../shared/domain-error.ts';

/**
 * The values the mentorship context is made of (profiles, match requests, sessions). Event schemas
 * are built from them and the deciders validate commands with them, so what is accepted and what
 * is stored never drift apart.
 */

export const MAX_SUBJECT_KEY_LENGTH = 60;

/** A subject as stored and matched on: trimmed, lower case, 1..60 characters. */
export const subjectKey = z
  .string()
  .transform((raw) => normaliseSubject(raw))
  .pipe(z.string().min(1).max(MAX_SUBJECT_KEY_LENGTH));
export type SubjectKey = z.infer<typeof subjectKey>;

/** One spelling per subject, so ` TypeScript ` and `typescript` match the same mentors. */
export function normaliseSubject(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export const LEVELS = ['beginner', 'intermediate', 'advanced', 'expert'] as const;
export type Level = (typeof LEVELS)[number];
export const level = z.enum(LEVELS);

export const TEACHING_STYLES = [
  'structured',
  'hands-on',
  'socratic',
  'conversational',
  'project-based',
] as const;
export type TeachingStyle = (typeof TEACHING_STYLES)[number];
export const teachingStyle = z.enum(TEACHING_STYLES);

/** A language tag, BCP-47-ish: 2..8 lower-case letters, optional `-subtag`s (`en`, `pt-br`). */
export const language = z
  .string()
  .transform((raw) => raw.trim().toLowerCase())
  .pipe(
    z
      .string()
      .min(2)
      .max(8)
      .regex(/^[a-z]{2,3}(-[a-z0-9]{2,4})?$/, 'a language tag like en or pt-br'),
  );
export type Language = z.infer<typeof language>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Minutes since midnight of an `HH:MM` time (`24:00` is 1440, the end of the day). */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h as number) * 60 + (m as number);
}

/**
 * A weekly availability slot in the person's own time zone. `day` 0 = Monday .. 6 = Sunday;
 * `end` is after `start` on the same day (`24:00` allowed as the end of the day).
 */
export const weeklySlot = z
  .object({
    day: z.number().int().min(0).max(6),
    start: z.string().regex(TIME, 'a time HH:MM'),
    end: z.string().regex(TIME, 'a time HH:MM'),
  })
  .refine((slot) => minutesOf(slot.end) > minutesOf(slot.start), {
    message: 'a slot ends after it starts',
    path: ['end'],
  });
export type WeeklySlot = z.infer<typeof weeklySlot>;

export const MAX_SLOTS = 50;
export const weeklySlots = z.array(weeklySlot).max(MAX_SLOTS);

/** An IANA time zone name, as the runtime's `Intl` knows them. */
export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'an IANA time zone name like Europe/Berlin');
export type TimeZone = z.infer<typeof timeZone>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const unit = z.number().min(0).max(1);

/** Why a mentor fits a learner: each factor 0..1 and the weighted `score` 0..1. */
export const factorBreakdown = z.object({
  subject: unit,
  style: unit,
  language: unit,
  availability: unit,
  timezone: unit,
  history: unit,
  score: unit,
});
export type FactorBreakdown = z.infer<typeof factorBreakdown>;
export type FactorName = Exclude<keyof FactorBreakdown, 'score'>;

/** The seed's matching weights (EduConnect): they add up to 1. */
export const MATCH_WEIGHTS: Readonly<Record<FactorName, number>> = Object.freeze({
  subject: 0.3,
  style: 0.2,
  language: 0.15,
  availability: 0.15,
  timezone: 0.1,
  history: 0.1,
});

/** A mentor's subject with the level they teach it at. */
export const mentorSubject = z.object({ subject: subjectKey, level });
export type MentorSubject = z.infer<typeof mentorSubject>;

export const MIN_CAPACITY = 1;
export const MAX_CAPACITY = 50;
export const capacity = z.number().int().min(MIN_CAPACITY).max(MAX_CAPACITY);

export const MENTOR_COHORTS = ['new', 'experienced'] as const;
export type MentorCohort = (typeof MENTOR_COHORTS)[number];
export const mentorCohort = z.enum(MENTOR_COHORTS);

export const MATCH_FAILURE_REASONS = ['no_candidates', 'offers_exhausted'] as const;
export type MatchFailureReason = (typeof MATCH_FAILURE_REASONS)[number];
export const matchFailureReason = z.enum(MATCH_FAILURE_REASONS);

export const SKIP_REASONS = ['at_capacity', 'not_accepting'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
export const skipReason = z.enum(SKIP_REASONS);

/** A concrete time span (ISO 8601 instants), e.g. a proposed first session. */
export const timeSpan = z
  .object({ startsAt: z.iso.datetime({ offset: true }), endsAt: z.iso.datetime({ offset: true }) })
  .refine((span) => Date.parse(span.endsAt) > Date.parse(span.startsAt), {
    message: 'a span ends after it starts',
    path: ['endsAt'],
  });
export type TimeSpan = z.infer<typeof timeSpan>;

/** What both profiles validate the same way: a subject as stored, or VALIDATION `INVALID_SUBJECT`. */
export function validSubjectKey(raw: string): string {
  const parsed = subjectKey.safeParse(raw);
  if (!parsed.success) {
    throw validation('INVALID_SUBJECT', 'Invalid subject (1 to 60 characters)', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data;
}

/** Languages normalised, duplicates dropped, at least one and at most `max`. */
export function validLanguages(raw: readonly string[], max: number): string[] {
  const languages: string[] = [];
  for (const tag of raw) {
    const parsed = language.safeParse(tag);
    if (!parsed.success) throw validation('INVALID_LANGUAGE', 'Invalid language', { language: tag });
    if (!languages.includes(parsed.data)) languages.push(parsed.data);
  }
  if (languages.length === 0) throw validation('LANGUAGE_REQUIRED', 'At least one language');
  if (languages.length > max) throw validation('TOO_MANY_LANGUAGES', `At most ${max} languages`);
  return languages;
}

export const uniqueStyles = (styles: readonly TeachingStyle[]): TeachingStyle[] => [...new Set(styles)];
