import { deepEqual, validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, validation } from '../shared/domain-error.ts';
import type { LearnerProfileCommand } from './learner-profile-commands.ts';
import {
  encodeGoals,
  type LearnerProfileEvent,
  learnerGoal,
  learnerProfileEventCatalogue,
  MAX_GOALS,
  MAX_LEARNER_LANGUAGES,
  MAX_LEARNER_SUBJECTS,
} from './learner-profile-events.ts';
import {
  evolveLearnerProfile,
  initialLearnerProfileState,
  type LearnerProfileState,
} from './learner-profile-state.ts';
import { requireSelf } from './mentor-profile-policy.ts';
import { teachingStyle, timeZone, validLanguages, validSubjectKey, weeklySlots } from './values.ts';

export const learnerProfileDecider: Decider<LearnerProfileCommand, LearnerProfileEvent, LearnerProfileState> =
  {
    initialState: initialLearnerProfileState,
    evolve: evolveLearnerProfile,
    decide(command, state, context) {
      switch (command.type) {
        case 'UpsertLearnerProfile':
          return upsertLearnerProfile(command, state, context);
        default: {
          const unknown: never = command.type;
          throw new Error(`Unknown learner profile command ${JSON.stringify(unknown)}`);
        }
      }
    },
  };

/** The learner profile aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const learnerProfileAggregate = {
  decider: learnerProfileDecider,
  catalogue: learnerProfileEventCatalogue,
};

/** The whole profile each time; an upsert that changes nothing decides nothing. */
function upsertLearnerProfile(
  command: LearnerProfileCommand,
  state: LearnerProfileState,
  { actor }: DecisionContext,
): LearnerProfileEvent[] {
  requireSelf(actor, command.learnerId, 'NOT_PROFILE_OWNER', 'the learner edits their profile');
  if (state.status !== 'none' && state.learnerId !== command.learnerId) {
    throw conflict('STREAM_MISMATCH', 'This stream holds another learner');
  }
  const goals = validGoals(command.goals);
  const subjects = [...new Set(command.subjects.map(validSubjectKey))];
  if (subjects.length > MAX_LEARNER_SUBJECTS) {
    throw validation('TOO_MANY_SUBJECTS', `At most ${MAX_LEARNER_SUBJECTS} subjects`);
  }
  const profile = {
    subjects,
    preferredStyle:
      command.preferredStyle === null
        ? null
        : validOr(teachingStyle, command.preferredStyle, 'INVALID_STYLE', 'style'),
    languages: validLanguages(command.languages, MAX_LEARNER_LANGUAGES),
    availability: validOr(weeklySlots, command.availability, 'INVALID_AVAILABILITY', 'availability'),
    timeZone: validOr(timeZone, command.timeZone, 'INVALID_TIME_ZONE', 'time zone'),
  };
  if (state.status !== 'none') {
    const { subjects: s, preferredStyle, languages, availability, timeZone: zone, goals: known } = state;
    const same =
      deepEqual(goals, known) &&
      deepEqual(profile, { subjects: s, preferredStyle, languages, availability, timeZone: zone });
    if (same) return [];
  }
  return [
    {
      type: 'LearnerProfileUpserted',
      data: { learnerId: command.learnerId, goals: encodeGoals(goals), ...profile },
    },
  ];
}

/** Goals trimmed, empty ones dropped, duplicates dropped, then held to the limits. */
function validGoals(raw: readonly string[]): string[] {
  const goals = [...new Set(raw.map((goal) => goal.trim()).filter((goal) => goal.length > 0))];
  if (goals.length > MAX_GOALS) throw validation('TOO_MANY_GOALS', `At most ${MAX_GOALS} goals`);
  return goals.map((goal) => validOr(learnerGoal, goal, 'INVALID_GOAL', 'goal (at most 500 characters)'));
}
