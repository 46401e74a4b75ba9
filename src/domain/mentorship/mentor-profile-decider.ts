import { deepEqual, validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { MENTEE_RELEASE_REASONS, type MentorProfileCommand } from './mentor-profile-commands.ts';
import {
  MAX_LANGUAGES,
  MAX_MENTOR_SUBJECTS,
  type MentorProfileData,
  type MentorProfileEvent,
  mentorProfileEventCatalogue,
} from './mentor-profile-events.ts';
import { personOf, requireSelf, requireSystem } from './mentor-profile-policy.ts';
import {
  evolveMentorProfile,
  initialMentorProfileState,
  type MentorProfile,
  type MentorProfileState,
} from './mentor-profile-state.ts';
import {
  capacity,
  level,
  teachingStyle,
  timeZone,
  uniqueStyles,
  validLanguages,
  validSubjectKey,
  weeklySlots,
} from './values.ts';

type CommandOf<Type extends MentorProfileCommand['type']> = Extract<MentorProfileCommand, { type: Type }>;

export const mentorProfileDecider: Decider<MentorProfileCommand, MentorProfileEvent, MentorProfileState> = {
  initialState: initialMentorProfileState,
  evolve: evolveMentorProfile,
  decide(command, state, context) {
    switch (command.type) {
      case 'UpsertMentorProfile':
        return upsertMentorProfile(command, state, context);
      case 'AddMentee':
        return addMentee(command, state, context);
      case 'ReleaseMentee':
        return releaseMentee(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown mentor profile command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The mentor profile aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const mentorProfileAggregate = {
  decider: mentorProfileDecider,
  catalogue: mentorProfileEventCatalogue,
};

/** An upsert that changes nothing decides nothing. */
function upsertMentorProfile(
  command: CommandOf<'UpsertMentorProfile'>,
  state: MentorProfileState,
  { actor }: DecisionContext,
): MentorProfileEvent[] {
  requireSelf(actor, command.mentorId, 'NOT_PROFILE_OWNER', 'the mentor edits their profile');
  if (state.status !== 'none' && state.mentorId !== command.mentorId) {
    throw conflict('STREAM_MISMATCH', 'This stream holds another mentor');
  }
  const profile = validMentorProfile(command);
  if (state.status !== 'none' && deepEqual(profile, currentProfile(state))) return [];
  return [{ type: 'MentorProfileUpserted', data: { mentorId: command.mentorId, ...profile } }];
}

/**
 * Idempotent per request: the saga may retry. Refused when the mentor stopped accepting or is full:
 * the saga then skips them and offers the next candidate.
 */
function addMentee(
  command: CommandOf<'AddMentee'>,
  state: MentorProfileState,
  { actor }: DecisionContext,
): MentorProfileEvent[] {
  requireSystem(actor);
  if (state.status === 'none') throw notFound('MENTOR_PROFILE_NOT_FOUND', 'No such mentor profile');
  if (state.menteeRequests.includes(command.requestId)) return [];
  // Released once (a cancelled match, an ended mentorship): a request's mentee is not taken on again.
  if (state.releasedRequests.includes(command.requestId)) return [];
  if (!state.accepting) throw conflict('MENTOR_NOT_ACCEPTING', 'This mentor takes no new mentees');
  if (state.activeMentees >= state.capacity) {
    throw conflict('MENTOR_AT_CAPACITY', 'This mentor has no room for another mentee', {
      capacity: state.capacity,
      activeMentees: state.activeMentees,
    });
  }
  if (command.learnerId === state.mentorId) {
    throw validation('SELF_MATCH', 'A mentor cannot mentor themself');
  }
  return [
    {
      type: 'MenteeAdded',
      data: {
        mentorId: state.mentorId,
        requestId: command.requestId,
        learnerId: command.learnerId,
        activeMentees: state.activeMentees + 1,
      },
    },
  ];
}

/**
 * The mentee of a request leaves and frees their seat. The saga releases a mentee whose match the
 * learner cancelled; a mentorship that ended is released by the system, the mentor or the mentee.
 * Idempotent: a mentee not held (never added, or released already) decides nothing.
 */
function releaseMentee(
  command: CommandOf<'ReleaseMentee'>,
  state: MentorProfileState,
  { actor }: DecisionContext,
): MentorProfileEvent[] {
  if (!MENTEE_RELEASE_REASONS.includes(command.reason)) {
    throw validation(
      'INVALID_RELEASE_REASON',
      'A mentee is released for match_cancelled or mentorship_ended',
    );
  }
  if (actor.kind !== 'system' && command.reason !== 'mentorship_ended') requireSystem(actor);
  if (state.status === 'none') throw notFound('MENTOR_PROFILE_NOT_FOUND', 'No such mentor profile');
  const learnerId = state.menteeLearners[command.requestId];
  if (actor.kind !== 'system') {
    const person = personOf(actor);
    if (person !== state.mentorId && (learnerId === undefined || person !== learnerId)) {
      throw forbidden('NOT_IN_MENTORSHIP', 'Only the mentor or their mentee end a mentorship');
    }
  }
  if (learnerId === undefined || !state.menteeRequests.includes(command.requestId)) return [];
  return [
    {
      type: 'MenteeReleased',
      data: {
        mentorId: state.mentorId,
        requestId: command.requestId,
        learnerId,
        reason: command.reason,
        activeMentees: Math.max(0, state.activeMentees - 1),
      },
    },
  ];
}

function currentProfile(state: MentorProfile): MentorProfileData {
  const { subjects, styles, languages, availability, timeZone: zone, capacity: cap, accepting } = state;
  return { subjects, styles, languages, availability, timeZone: zone, capacity: cap, accepting };
}

/** Subjects normalised, one level per subject (the first one given), then held to the limits. */
function validMentorProfile(command: CommandOf<'UpsertMentorProfile'>): MentorProfileData {
  const subjects: MentorProfileData['subjects'] = [];
  for (const entry of command.subjects) {
    const subject = validSubjectKey(entry.subject);
    if (subjects.some((known) => known.subject === subject)) continue;
    subjects.push({ subject, level: validOr(level, entry.level, 'INVALID_LEVEL', 'level') });
  }
  if (subjects.length === 0) throw validation('SUBJECT_REQUIRED', 'A mentor teaches at least one subject');
  if (subjects.length > MAX_MENTOR_SUBJECTS) {
    throw validation('TOO_MANY_SUBJECTS', `At most ${MAX_MENTOR_SUBJECTS} subjects`);
  }
  const styles = uniqueStyles(
    command.styles.map((style) => validOr(teachingStyle, style, 'INVALID_STYLE', 'style')),
  );
  if (styles.length === 0) throw validation('STYLE_REQUIRED', 'A mentor teaches in at least one style');
  const languages = validLanguages(command.languages, MAX_LANGUAGES);
  return {
    subjects,
    styles,
    languages,
    availability: validOr(weeklySlots, command.availability, 'INVALID_AVAILABILITY', 'availability'),
    timeZone: validOr(timeZone, command.timeZone, 'INVALID_TIME_ZONE', 'time zone'),
    capacity: validOr(capacity, command.capacity, 'INVALID_CAPACITY', 'capacity (1 to 50)'),
    accepting: command.accepting,
  };
}
