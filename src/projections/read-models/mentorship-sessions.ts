import type { EventCodec } from '../../commands/event-codec.ts';
import { type SessionEvent, sessionEventCatalogue } from '../../domain/mentorship/session-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Mentorship sessions as lists and details see them, and each mentor's history for matching.
 * `mentor_rating` is the rating the mentor gave, `learner_rating` the learner's. `mentor_stats`
 * counts a mentor's ended sessions and the learners' ratings of them (only learners rate the
 * mentor); the history factor reads it with a LEFT JOIN, so a mentor without a row has no history.
 * Notes and comments are personal data and stay out: they are read from the session's stream,
 * where forgetting the author erases them.
 */
export function mentorshipSessionsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'mentorship_sessions',
    version: 1,
    eventTypes: Object.keys(sessionEventCatalogue),
    tables: {
      mentorship_sessions: {
        columns: `session_id uuid not null, match_request_id uuid not null, mentor_id uuid not null,
          learner_id uuid not null, starts_at timestamptz not null, ends_at timestamptz not null,
          duration_minutes int not null, status text not null, started_at timestamptz,
          ended_at timestamptz, duration_seconds int, room_provider text not null,
          room_name text not null, room_url text not null, room_has_media boolean not null,
          mentor_rating int, learner_rating int, created_at timestamptz not null,
          updated_at timestamptz not null`,
        primaryKey: ['session_id'],
        indexes: [
          '(mentor_id, starts_at desc, session_id desc)',
          '(learner_id, starts_at desc, session_id desc)',
          '(match_request_id)',
        ],
      },
      mentor_stats: {
        columns: `mentor_id uuid not null, completed_sessions int not null, rating_count int not null,
          rating_sum int not null`,
        primaryKey: ['mentor_id'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(sessionEventCatalogue, recorded);
      if (decoded) await applySessionEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applySessionEvent(event: SessionEvent, writer: ReadModelWriter, at: string): Promise<void> {
  const session = { session_id: event.data.sessionId };
  switch (event.type) {
    case 'MentorshipSessionScheduled': {
      const { sessionId, matchRequestId, mentorId, learnerId, startsAt, endsAt, durationMinutes, room } =
        event.data;
      writer.upsert('mentorship_sessions', {
        session_id: sessionId,
        match_request_id: matchRequestId,
        mentor_id: mentorId,
        learner_id: learnerId,
        starts_at: startsAt,
        ends_at: endsAt,
        duration_minutes: durationMinutes,
        status: 'scheduled',
        room_provider: room.provider,
        room_name: room.roomName,
        room_url: room.url,
        room_has_media: room.hasMedia,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    case 'MentorshipSessionStarted':
      return writer.update('mentorship_sessions', session, {
        status: 'started',
        started_at: event.data.startedAt,
        updated_at: at,
      });
    case 'MentorshipSessionEnded': {
      const { endedAt, durationSeconds } = event.data;
      await writer.update('mentorship_sessions', session, {
        status: 'ended',
        ended_at: endedAt,
        duration_seconds: durationSeconds,
        updated_at: at,
      });
      return countForMentor(writer, event.data.sessionId, { completed: 1 });
    }
    case 'MentorshipSessionCancelled':
      return writer.update('mentorship_sessions', session, { status: 'cancelled', updated_at: at });
    case 'MentorshipSessionRated': {
      const { by, rating } = event.data;
      await writer.update('mentorship_sessions', session, {
        [by === 'mentor' ? 'mentor_rating' : 'learner_rating']: rating,
        updated_at: at,
      });
      if (by === 'learner') await countForMentor(writer, event.data.sessionId, { rating });
      return;
    }
    case 'MentorshipSessionNotesAdded':
    case 'MentorshipSessionHoldExpired':
      return;
  }
}

async function countForMentor(
  writer: ReadModelWriter,
  sessionId: string,
  change: { completed?: number; rating?: number },
): Promise<void> {
  const row = await writer.get('mentorship_sessions', { session_id: sessionId });
  const mentorId = row?.mentor_id;
  if (typeof mentorId !== 'string') return;
  const stats = await writer.get('mentor_stats', { mentor_id: mentorId });
  writer.upsert('mentor_stats', {
    mentor_id: mentorId,
    completed_sessions: Number(stats?.completed_sessions ?? 0) + (change.completed ?? 0),
    rating_count: Number(stats?.rating_count ?? 0) + (change.rating === undefined ? 0 : 1),
    rating_sum: Number(stats?.rating_sum ?? 0) + (change.rating ?? 0),
  });
}
