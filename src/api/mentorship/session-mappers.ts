import type { MentorshipSession } from '../../domain/mentorship/session-state.ts';
import { SESSION_SIDES } from '../../domain/mentorship/session-values.ts';
import type { MentorshipSessionRow } from './session-queries.ts';

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function toMentorshipSession(row: MentorshipSessionRow) {
  return {
    id: row.session_id,
    matchRequestId: row.match_request_id,
    mentorId: row.mentor_id,
    learnerId: row.learner_id,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    durationMinutes: row.duration_minutes,
    status: row.status,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    durationSeconds: row.duration_seconds,
    room: {
      provider: row.room_provider,
      name: row.room_name,
      url: row.room_url,
      hasMedia: row.room_has_media,
    },
    mentorRating: row.mentor_rating,
    learnerRating: row.learner_rating,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type MentorshipSessionView = ReturnType<typeof toMentorshipSession>;

export const mentorshipSessionCursor = (row: MentorshipSessionRow) => [row.sort_key, row.session_id];

/** The reader's own notes: notes are private to their author. */
export const notesOf = (session: MentorshipSession, readerId: string | null) =>
  session.notes
    .filter((note) => note.authorId === readerId)
    .map((note) => ({ authorId: note.authorId, text: note.notes, createdAt: note.at }));

export const ratingsOf = (session: MentorshipSession) =>
  SESSION_SIDES.flatMap((side) => {
    const rating = session.ratings[side];
    return rating ? [{ by: side, rating: rating.rating, comment: rating.comment, createdAt: rating.at }] : [];
  });
