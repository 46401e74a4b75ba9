import type { TeachingStyle, WeeklySlot } from './values.ts';

/** Commands on a learner's profile (`learner-<userId>`), as the person typed them. */
export type LearnerProfileCommand = {
  type: 'UpsertLearnerProfile';
  learnerId: string;
  /** What the learner wants to reach, in their own words: personal data. */
  goals: readonly string[];
  subjects: readonly string[];
  preferredStyle: TeachingStyle | null;
  languages: readonly string[];
  availability: readonly WeeklySlot[];
  timeZone: string;
};
