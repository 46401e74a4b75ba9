import type pg from 'pg';
import { z } from 'zod';
import type { FactorBreakdown } from '../../domain/mentorship/values.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { pageOf } from '../pagination.ts';
import { countWhere, parameters, sortKey, whereClause } from '../shared/sql.ts';

/** Who reads: admins every request; a person the ones they asked for or were offered. */
export interface MatchViewer {
  admin: boolean;
  userId: string | null;
}

export function matchViewerOf(actor: Actor): MatchViewer {
  if (actor.kind === 'user') return { admin: actor.role === 'admin', userId: actor.userId };
  if (actor.kind === 'integration') return { admin: false, userId: actor.ownerId };
  return { admin: false, userId: null };
}

export interface MatchRequestRow {
  request_id: string;
  learner_id: string;
  subject: string;
  status: string;
  candidates: { mentorId: string; factors: FactorBreakdown }[] | null;
  offered_mentor_ids: string[];
  current_offer_number: number | null;
  matched_mentor_id: string | null;
  factors: FactorBreakdown | null;
  failure_reason: string | null;
  proposed_times: { startsAt: string; endsAt: string }[] | null;
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

export interface MatchOfferRow {
  request_id: string;
  offer_number: number;
  mentor_id: string;
  mentor_cohort: string;
  score: number;
  factors: FactorBreakdown;
  offered_at: Date;
  expires_at: Date;
  outcome: string;
  answered_at: Date | null;
}

const REQUEST_COLUMNS = `r.request_id, r.learner_id, r.subject, r.status, r.candidates, r.offered_mentor_ids,
  r.current_offer_number, r.matched_mentor_id, r.factors, r.failure_reason, r.proposed_times,
  r.created_at, r.updated_at, ${sortKey('r.created_at')}`;

export async function findMatchRequest(pool: pg.Pool, requestId: string) {
  const { rows } = await pool.query<MatchRequestRow>(
    `select ${REQUEST_COLUMNS} from match_requests r where r.request_id = $1`,
    [requestId],
  );
  return rows[0];
}

/** The offers of these requests, by request, in offer order. */
export async function offersOf(pool: pg.Pool, requestIds: readonly string[]) {
  const { rows } = await pool.query<MatchOfferRow>(
    `select request_id, offer_number, mentor_id, mentor_cohort, score, factors, offered_at, expires_at,
            outcome, answered_at
       from match_offers where request_id = any($1::uuid[]) order by request_id, offer_number`,
    [requestIds],
  );
  const byRequest = new Map<string, MatchOfferRow[]>();
  for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row]);
  return byRequest;
}

export const myMatchesInput = z.object({
  first: z.number().int().nullish(),
  after: z.string().nullish(),
  as: z.enum(['learner', 'mentor']).nullish(),
});

/** The caller's requests (as learner) and those offered to them (as mentor), newest first. */
export async function listMyMatches(pool: pg.Pool, userId: string, raw: unknown) {
  const { first, after, as } = myMatchesInput.parse(raw);
  const page = pageOf({ first, after }, 2);
  const params = parameters();
  const me = params.add(userId);
  const asLearner = `r.learner_id = ${me}::uuid`;
  const asMentor = `${me}::uuid = any(r.offered_mentor_ids)`;
  const where = [as === 'learner' ? asLearner : as === 'mentor' ? asMentor : `(${asLearner} or ${asMentor})`];
  const total = await countWhere(pool, 'match_requests r', where, params.values);
  if (page.after) {
    const cursor = listCursor.safeParse(page.after);
    if (!cursor.success) throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
    const [afterCreated, afterId] = cursor.data;
    where.push(
      `(r.created_at, r.request_id) < (${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<MatchRequestRow>(
    `select ${REQUEST_COLUMNS} from match_requests r ${whereClause(where)}
      order by r.created_at desc, r.request_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

const listCursor = z.tuple([z.iso.datetime(), z.uuid()]);
