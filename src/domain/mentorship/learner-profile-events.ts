import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { language, subjectKey, teachingStyle, timeZone, weeklySlots } from './values.ts';

export const MAX_GOALS = 10;
export const MAX_GOAL_LENGTH = 500;
export const MAX_LEARNER_SUBJECTS = 20;
export const MAX_LEARNER_LANGUAGES = 10;

export const learnerGoal = z.string().trim().min(1).max(MAX_GOAL_LENGTH);
export const learnerGoals = z.array(learnerGoal).max(MAX_GOALS);

/**
 * The goals travel as one personal field: a JSON array in a string, encrypted with the learner's
 * key (the codec encrypts strings), and null once the learner is forgotten.
 */
export const encodeGoals = (goals: readonly string[]): string => JSON.stringify(goals);

export function decodeGoals(stored: string | null): string[] | null {
  if (stored === null) return null;
  const parsed = learnerGoals.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : null;
}

export const learnerProfileEventSchemas = {
  LearnerProfileUpserted: z.object({
    learnerId: z.uuid(),
    goals: z.string().nullable(),
    subjects: z.array(subjectKey).max(MAX_LEARNER_SUBJECTS),
    preferredStyle: teachingStyle.nullable(),
    languages: z.array(language).min(1).max(MAX_LEARNER_LANGUAGES),
    availability: weeklySlots,
    timeZone,
  }),
};

type Schemas = typeof learnerProfileEventSchemas;
export type LearnerProfileEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type LearnerProfileEventOf<Type extends LearnerProfileEvent['type']> = Extract<
  LearnerProfileEvent,
  { type: Type }
>;

export const learnerProfileEventCatalogue: EventCatalogue<LearnerProfileEvent> = {
  LearnerProfileUpserted: {
    type: 'LearnerProfileUpserted',
    schemaVersion: 1,
    schema: learnerProfileEventSchemas.LearnerProfileUpserted,
    personalFields: ['goals'],
    subject: (data) => data.learnerId,
  },
};
