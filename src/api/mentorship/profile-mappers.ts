import type { LearnerProfileRow, MentorProfileRow } from './profile-queries.ts';

export function toMentorProfile(row: MentorProfileRow) {
  return {
    userId: row.user_id,
    subjects: row.subjects,
    styles: row.styles,
    languages: row.languages,
    availability: row.availability,
    timeZone: row.time_zone,
    capacity: row.capacity,
    activeMentees: row.active_mentees,
    accepting: row.accepting,
    lastOfferedAt: row.last_offered_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toLearnerProfile(row: LearnerProfileRow) {
  return {
    userId: row.user_id,
    goals: row.goals,
    subjects: row.subjects,
    preferredStyle: row.preferred_style,
    languages: row.languages,
    availability: row.availability,
    timeZone: row.time_zone,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
