import { decodeGoals, type LearnerProfileEvent } from './learner-profile-events.ts';
import type { TeachingStyle, WeeklySlot } from './values.ts';

export interface LearnerProfile {
  status: 'active';
  learnerId: string;
  /** Null once the learner was forgotten (their key is gone). */
  goals: readonly string[] | null;
  subjects: readonly string[];
  preferredStyle: TeachingStyle | null;
  languages: readonly string[];
  availability: readonly WeeklySlot[];
  timeZone: string;
}

export type LearnerProfileState = { status: 'none' } | LearnerProfile;

export const initialLearnerProfileState: LearnerProfileState = { status: 'none' };

export function evolveLearnerProfile(
  state: LearnerProfileState,
  event: LearnerProfileEvent,
): LearnerProfileState {
  switch (event.type) {
    case 'LearnerProfileUpserted': {
      const { goals, ...rest } = event.data;
      return { status: 'active', ...rest, goals: decodeGoals(goals) };
    }
    default:
      return state;
  }
}
