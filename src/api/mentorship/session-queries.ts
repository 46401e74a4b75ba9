import type pg from 'pg';
import { z } from 'zod';
import { canSeeSession, personOf } from '../../domain/mentorship/session-policy.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { sessionStatusFilter } from '../../services/mentorship/session-inputs.ts';
import { pageOf } from '../pagination.ts';
import { countWhere, parameters, sortKey, whereClause } from '../shared/sql.ts';

export interface MentorshipSessionRow {
  session_id: string;
  match_request_id: string;
  mentor_id: string;
  learner_id: string;
  starts_at: Date;
  ends_at: Date;
  duration_minutes: number;
  status: string;
  started_at: Date | null;
  ended_at: Date | null;
  duration_seconds: number | null;
  room_provider: string;
  room_name: string;
  room_url: string;
  room_has_media: boolean;
  mentor_rating: number | null;
  learner_rating: number | null;
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

const COLUMNS = `s.session_id, s.match_request_id, s.mentor_id, s.learner_id, s.starts_at, s.ends_at,
  s.duration_minutes, s.status, s.started_at, s.ended_at, s.duration_seconds, s.room_provider,
  s.room_name, s.room_url, s.room_has_media, s.mentor_rating, s.learner_rating, s.created_at,
  s.updated_at, ${sortKey('s.starts_at')}`;

/** The session if the actor may see it (a participant, or an admin); undefined otherwise. */
export async function findMentorshipSession(pool: pg.Pool, actor: Actor, sessionId: string) {
  const { rows } = await pool.query<MentorshipSessionRow>(
    `select ${COLUMNS} from mentorship_sessions s where s.session_id = $1`,
    [sessionId],
  );
  const row = rows[0];
  if (!row || !canSeeSession({ mentorId: row.mentor_id, learnerId: row.learner_id }, actor)) return undefined;
  return row;
}

export const mentorshipSessionsInput = z.object({
  status: sessionStatusFilter.nullish(),
  page: z.unknown().optional(),
});

/** The caller's sessions as mentor or learner, latest start first, keyset on (starts_at, id). */
export async function listMentorshipSessions(pool: pg.Pool, actor: Actor, raw: unknown) {
  const { status, page: rawPage } = mentorshipSessionsInput.parse(raw);
  const page = pageOf(rawPage, 2);
  const person = personOf(actor);
  if (person === null) return { rows: [], page, total: 0 };
  const params = parameters();
  const me = params.add(person);
  const where = [`(s.mentor_id = ${me}::uuid or s.learner_id = ${me}::uuid)`];
  if (status) where.push(`s.status = ${params.add(status)}`);
  const total = await countWhere(pool, 'mentorship_sessions s', where, params.values);
  if (page.after) {
    const parsed = cursor.safeParse(page.after);
    if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
    const [afterStart, afterId] = parsed.data;
    where.push(
      `(s.starts_at, s.session_id) < (${params.add(afterStart)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<MentorshipSessionRow>(
    `select ${COLUMNS} from mentorship_sessions s ${whereClause(where)}
      order by s.starts_at desc, s.session_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

const cursor = z.tuple([z.iso.datetime(), z.uuid()]);
