import type { EventCodec } from '../../commands/event-codec.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { encodeWeekMinutes } from '../../domain/mentorship/availability.ts';
import { decodeGoals, learnerProfileEventCatalogue } from '../../domain/mentorship/learner-profile-events.ts';
import { matchRequestEventCatalogue } from '../../domain/mentorship/match-request-events.ts';
import { mentorProfileEventCatalogue } from '../../domain/mentorship/mentor-profile-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Mentor and learner profiles as matching and the API read them. `mentor_profiles` is what the
 * ranking prefilters in SQL (subject keys, accepting, room left), so it also follows the match
 * requests' offers (`last_offered_at`, the fairness tie-break) and the mentors' mentees
 * (`active_mentees`). Learners' goals are decrypted on the way in and dropped when they are forgotten.
 *
 * Ranking reads ten thousand mentor rows per request, so `mentor_profiles` also holds the same facts
 * in the shape cheapest to fetch and score: `subject_levels` (subject → level, read with `->>`),
 * `style_list` and `language_list` (comma-separated) and `week_minutes` (slots as local
 * minute-of-week pairs, `start-end,…`; see `encodeWeekMinutes`).
 */
export function mentorshipProfilesProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'mentorship_profiles',
    version: 4,
    eventTypes: [
      ...Object.keys(mentorProfileEventCatalogue),
      ...Object.keys(learnerProfileEventCatalogue),
      'MentorOffered',
      'UserForgotten',
      'UserDeactivated',
    ],
    tables: {
      mentor_profiles: {
        columns: `user_id uuid not null, subjects jsonb not null, subject_keys text[] not null,
          styles text[] not null, languages text[] not null, availability jsonb not null,
          subject_levels jsonb not null, style_list text not null, language_list text not null,
          week_minutes text not null,
          time_zone text not null, capacity int not null, active_mentees int not null,
          accepting boolean not null, last_offered_at timestamptz,
          created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['user_id'],
        indexes: ['using gin (subject_keys) where accepting and active_mentees < capacity'],
      },
      learner_profiles: {
        columns: `user_id uuid not null, goals jsonb, subjects text[] not null, preferred_style text,
          languages text[] not null, availability jsonb not null, time_zone text not null,
          created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['user_id'],
      },
    },
    apply: (recorded, writer) => applyProfileEvent(codec, recorded, writer),
  };
}

/** Subject → level; a subject listed twice keeps its first level, as the list is read elsewhere. */
function levelsBySubject(subjects: readonly { subject: string; level: string }[]): Record<string, string> {
  const levels = new Map<string, string>();
  for (const { subject, level } of subjects) if (!levels.has(subject)) levels.set(subject, level);
  return Object.fromEntries(levels);
}

async function applyProfileEvent(
  codec: Pick<EventCodec, 'decode'>,
  recorded: RecordedEvent,
  writer: ReadModelWriter,
): Promise<void> {
  const at = occurredAt(recorded);
  const stream = recorded.streamName;
  if (stream.startsWith('mentor-')) {
    const decoded = await codec.decode(mentorProfileEventCatalogue, recorded);
    if (!decoded) return;
    const { event } = decoded;
    if (event.type === 'MenteeAdded' || event.type === 'MenteeReleased') {
      const { mentorId, activeMentees } = event.data;
      return writer.update(
        'mentor_profiles',
        { user_id: mentorId },
        { active_mentees: activeMentees, updated_at: at },
      );
    }
    const { mentorId, subjects, styles, languages, availability, timeZone, capacity, accepting } = event.data;
    const known = await writer.get('mentor_profiles', { user_id: mentorId });
    writer.upsert('mentor_profiles', {
      user_id: mentorId,
      subjects,
      subject_keys: subjects.map((entry) => entry.subject),
      styles,
      languages,
      availability,
      subject_levels: levelsBySubject(subjects),
      style_list: styles.join(','),
      language_list: languages.join(','),
      week_minutes: encodeWeekMinutes(availability),
      time_zone: timeZone,
      capacity,
      accepting,
      active_mentees: known?.active_mentees ?? 0,
      last_offered_at: known?.last_offered_at ?? null,
      created_at: known?.created_at ?? at,
      updated_at: at,
    });
    return;
  }
  if (stream.startsWith('learner-')) {
    const decoded = await codec.decode(learnerProfileEventCatalogue, recorded);
    if (!decoded) return;
    const { learnerId, goals, subjects, preferredStyle, languages, availability, timeZone } =
      decoded.event.data;
    const known = await writer.get('learner_profiles', { user_id: learnerId });
    writer.upsert('learner_profiles', {
      user_id: learnerId,
      goals: decodeGoals(goals),
      subjects,
      preferred_style: preferredStyle,
      languages,
      availability,
      time_zone: timeZone,
      created_at: known?.created_at ?? at,
      updated_at: at,
    });
    return;
  }
  if (stream.startsWith('matchrequest-')) {
    const decoded = await codec.decode(matchRequestEventCatalogue, recorded);
    if (decoded?.event.type !== 'MentorOffered') return;
    return writer.update(
      'mentor_profiles',
      { user_id: decoded.event.data.mentorId },
      { last_offered_at: at },
    );
  }
  if (stream.startsWith('user-')) {
    const decoded = await codec.decode(userEventCatalogue, recorded);
    if (decoded?.event.type !== 'UserForgotten' && decoded?.event.type !== 'UserDeactivated') return;
    // A person who left (deactivated or forgotten) is no mentor anybody should be offered, and a
    // forgotten one's availability and languages must not stay readable.
    const user = { user_id: decoded.event.data.userId };
    writer.delete('mentor_profiles', user);
    if (decoded.event.type === 'UserForgotten') {
      await writer.update('learner_profiles', user, { goals: null, updated_at: at });
    }
  }
}
