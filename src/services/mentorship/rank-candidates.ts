import type pg from 'pg';
import { z } from 'zod';
import { rankScored } from '../../domain/mentorship/ranking.ts';
import { type LearnerFacts, matchScorer } from '../../domain/mentorship/scoring.ts';
import {
  type FactorBreakdown,
  LEVELS,
  type Level,
  normaliseSubject,
  TEACHING_STYLES,
  type TeachingStyle,
  type WeeklySlot,
  weeklySlot,
} from '../../domain/mentorship/values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';

/** A mentor the ranking puts forward for a request: why (factors, score), and what the saga needs. */
export interface RankedCandidate {
  mentorId: string;
  factors: FactorBreakdown;
  /** ISO instant of the mentor's last offer to anyone; null when never offered. */
  lastOfferedAt: string | null;
  completedSessions: number;
}

export interface RankRequest {
  learnerId: string;
  subject: string;
  /** Mentors never to put forward, besides those the read models already rule out. */
  excludeMentorIds?: readonly string[];
  /** How many to return, best first (default 20). */
  limit?: number;
  /** The instant availability and time zones are judged at (default: now). */
  at?: Date;
  /** The learner's profile when the caller already has it; otherwise read from `learner_profiles`. */
  learner?: LearnerFacts;
}

export const DEFAULT_CANDIDATE_LIMIT = 20;

/**
 * The candidates' rows, prefiltered in SQL: mentors who teach the subject, accept mentees and have
 * room for one more, other than the learner, not excluded, and who never declined or let lapse an
 * offer to this learner (fairness: nobody is asked twice about the same person). Only what scoring
 * needs is fetched: the level of this subject, not the whole subject list; styles and languages
 * as one string each. The history comes from
 * the sessions read model (`mentor_stats`); a mentor without a row there has none.
 */
export const PREFILTER_SQL = `
  select m.user_id as mentor_id,
         (select e->>'level' from jsonb_array_elements(m.subjects) e where e->>'subject' = $1 limit 1) as level,
         array_to_string(m.styles, ',') as styles, array_to_string(m.languages, ',') as languages,
         m.availability, m.time_zone,
         to_char(m.last_offered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_offered_at,
         coalesce(s.completed_sessions, 0)::int as completed_sessions,
         coalesce(s.rating_count, 0)::int as rating_count,
         coalesce(s.rating_sum, 0)::int as rating_sum
    from mentor_profiles m
    left join mentor_stats s on s.mentor_id = m.user_id
   where m.subject_keys @> array[$1::text]
     and m.accepting
     and m.active_mentees < m.capacity
     and m.user_id <> $2::uuid
     and m.user_id <> all($3::uuid[])
     and not exists (
       select 1 from match_offers o
        where o.learner_id = $2::uuid and o.mentor_id = m.user_id and o.outcome in ('declined', 'expired'))`;

export interface CandidateRow {
  mentor_id: string;
  level: string | null;
  /** Comma-separated: styles and language tags hold no commas, and a string is cheaper to fetch than an array. */
  styles: string;
  languages: string;
  availability: unknown;
  time_zone: string;
  last_offered_at: string | null;
  completed_sessions: number;
  rating_count: number;
  rating_sum: number;
}

/** The prefilter alone (the benchmark times it apart from scoring). */
export async function prefilterCandidates(
  pool: pg.Pool,
  subject: string,
  learnerId: string,
  excludeMentorIds: readonly string[],
): Promise<CandidateRow[]> {
  const { rows } = await pool.query<CandidateRow>(PREFILTER_SQL, [subject, learnerId, [...excludeMentorIds]]);
  return rows;
}

/**
 * Ranks the mentors for a learner's request: prefilter in SQL, score each in code
 * (`scoreMatch`), then order best first with the fairness tie-break (`rankScored`).
 */
export async function rankCandidates(pool: pg.Pool, request: RankRequest): Promise<RankedCandidate[]> {
  const subject = normaliseSubject(request.subject);
  const learner = request.learner ?? (await learnerFacts(pool, request.learnerId));
  const rows = await prefilterCandidates(pool, subject, request.learnerId, request.excludeMentorIds ?? []);
  return scoreCandidates(rows, learner, subject, request);
}

/** Scoring and ranking of prefiltered rows; pure but for the rows' shape. */
export function scoreCandidates(
  rows: readonly CandidateRow[],
  learner: LearnerFacts,
  subject: string,
  request: Pick<RankRequest, 'learnerId' | 'excludeMentorIds' | 'limit' | 'at'>,
): RankedCandidate[] {
  const score = matchScorer(learner, subject, request.at ?? new Date());
  const scored: RankedCandidate[] = [];
  for (const row of rows) {
    const mentor = mentorFacts(row, subject);
    if (mentor === null) continue;
    scored.push({
      mentorId: row.mentor_id,
      factors: score(mentor, {
        completedSessions: row.completed_sessions,
        ratingCount: row.rating_count,
        ratingSum: row.rating_sum,
      }),
      lastOfferedAt: row.last_offered_at,
      completedSessions: row.completed_sessions,
    });
  }
  return rankScored(scored, {
    exclude: [request.learnerId, ...(request.excludeMentorIds ?? [])],
    limit: request.limit ?? DEFAULT_CANDIDATE_LIMIT,
  });
}

const styleOf = z.enum(TEACHING_STYLES);
const slots = z.array(weeklySlot);
const isStyle = (style: string): style is TeachingStyle =>
  (TEACHING_STYLES as readonly string[]).includes(style);
const isLevel = (level: string | null): level is Level =>
  level !== null && (LEVELS as readonly string[]).includes(level);

/**
 * The read model holds what validated events said, so a row's shape is checked cheaply (no schema
 * parse per row: this runs for every candidate). A row that does not fit is skipped.
 */
function isSlotList(value: unknown): value is WeeklySlot[] {
  return (
    Array.isArray(value) &&
    value.every(
      (slot) =>
        typeof slot === 'object' &&
        slot !== null &&
        typeof slot.day === 'number' &&
        typeof slot.start === 'string' &&
        typeof slot.end === 'string',
    )
  );
}

function mentorFacts(row: CandidateRow, subject: string) {
  if (!isLevel(row.level) || !isSlotList(row.availability)) return null;
  return {
    subjects: [{ subject, level: row.level }],
    styles: row.styles.split(',').filter(isStyle),
    languages: row.languages.split(','),
    availability: row.availability,
    timeZone: row.time_zone,
  };
}

const learnerRow = z.object({
  preferred_style: styleOf.nullable(),
  languages: z.array(z.string()),
  availability: slots,
  time_zone: z.string(),
});

/** The learner as the profiles read model shows them; NOT_FOUND when they have no profile (yet). */
export async function learnerFacts(pool: pg.Pool, learnerId: string): Promise<LearnerFacts> {
  const { rows } = await pool.query(
    'select preferred_style, languages, availability, time_zone from learner_profiles where user_id = $1',
    [learnerId],
  );
  const row = learnerRow.safeParse(rows[0]);
  if (!row.success) throw notFound('LEARNER_PROFILE_NOT_FOUND', 'This learner has no profile');
  const { preferred_style, languages, availability, time_zone } = row.data;
  return { preferredStyle: preferred_style, languages, availability, timeZone: time_zone };
}
