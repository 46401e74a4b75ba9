import type pg from 'pg';
import { z } from 'zod';
import { decodeWeekMinutes } from '../../domain/mentorship/availability.ts';
import { best, compareRanks, type TieBreak } from '../../domain/mentorship/ranking.ts';
import {
  type CandidateFacts,
  candidateScorer,
  type LearnerFacts,
  type MentorHistory,
} from '../../domain/mentorship/scoring.ts';
import {
  type FactorBreakdown,
  LEVELS,
  type Level,
  normaliseSubject,
  TEACHING_STYLES,
  weeklySlot,
} from '../../domain/mentorship/values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { overallTrustScoreSql } from '../communities/trust-sql.ts';

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
 * needs is fetched, in the read model's precomputed shapes, which are cheap for PostgreSQL to send
 * and for Node to read (10,000 rows per request): the level of this subject from the
 * `subject_levels` map, styles and languages as one string each, slots as minute pairs
 * (`week_minutes`). The history comes from the sessions read model (`mentor_stats`); a mentor
 * without a row there has none. Their overall community trust (`community_trust_overall`, at the
 * time of ranking, see src/services/communities/trust-sql.ts) enters the history factor; null
 * without a row.
 */
export const PREFILTER_SQL = `
  select m.user_id as mentor_id, m.subject_levels ->> $1 as level,
         m.style_list as styles, m.language_list as languages, m.week_minutes, m.time_zone,
         to_char(m.last_offered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_offered_at,
         coalesce(s.completed_sessions, 0)::int as completed_sessions,
         coalesce(s.rating_count, 0)::int as rating_count,
         coalesce(s.rating_sum, 0)::int as rating_sum,
         case when t.user_id is null then null else ${overallTrustScoreSql('t', 'now()')}::float8 end as trust
    from mentor_profiles m
    left join mentor_stats s on s.mentor_id = m.user_id
    left join community_trust_overall t on t.user_id = m.user_id
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
  /** Weekly slots as local minute-of-week pairs, `start-end,…` (see `encodeWeekMinutes`). */
  week_minutes: string;
  time_zone: string;
  last_offered_at: string | null;
  completed_sessions: number;
  rating_count: number;
  rating_sum: number;
  /** Overall community trust (0–100); null when the mentor has none on record. */
  trust: number | null;
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
 * (`candidateScorer`, the same factors as `scoreMatch`), then the best first with the fairness
 * tie-break (`best` in the order of `compareRanks`).
 */
export async function rankCandidates(pool: pg.Pool, request: RankRequest): Promise<RankedCandidate[]> {
  const subject = normaliseSubject(request.subject);
  const learner = request.learner ?? (await learnerFacts(pool, request.learnerId));
  const rows = await prefilterCandidates(pool, subject, request.learnerId, request.excludeMentorIds ?? []);
  return scoreCandidates(rows, learner, subject, request);
}

/**
 * Scoring and ranking of prefiltered rows; pure but for the rows' shape. `subject` is the one the
 * rows' `level` was read for (the prefilter's). Ten thousand rows come in and twenty go out, so
 * each row is scored to a number only, the best are chosen on that and the tie-break (`best`, the
 * order of `rankScored`), and the factor breakdown is built for those alone.
 */
export function scoreCandidates(
  rows: readonly CandidateRow[],
  learner: LearnerFacts,
  _subject: string,
  request: Pick<RankRequest, 'learnerId' | 'excludeMentorIds' | 'limit' | 'at'>,
): RankedCandidate[] {
  const scorer = candidateScorer(learner, request.at ?? new Date());
  // The prefilter leaves these out already; checked again so the ranking holds on any rows.
  const excluded = new Set([request.learnerId, ...(request.excludeMentorIds ?? [])]);
  const minutes: number[] = []; // one buffer for every row's slots
  const ranks: Rank[] = [];
  for (const row of rows) {
    const mentor = candidateFacts(row, minutes);
    if (mentor === null || excluded.has(row.mentor_id)) continue;
    ranks.push({
      score: scorer.score(mentor, historyOf(row)),
      lastOfferedAt: row.last_offered_at,
      mentorId: row.mentor_id,
      row,
    });
  }
  const limit = Math.max(0, request.limit ?? DEFAULT_CANDIDATE_LIMIT);
  const chosen = best(
    ranks,
    () => true,
    limit,
    (a, b) => compareRanks(a.score, b.score, a, b),
  );
  return chosen.map(({ row }) => ({
    mentorId: row.mentor_id,
    factors: scorer.breakdown(candidateFacts(row, minutes) as CandidateFacts, historyOf(row)),
    lastOfferedAt: row.last_offered_at,
    completedSessions: row.completed_sessions,
  }));
}

/** What the order of candidates looks at, and the row it was worked out from. */
interface Rank extends TieBreak {
  score: number;
  row: CandidateRow;
}

const historyOf = (row: CandidateRow): MentorHistory => ({
  completedSessions: row.completed_sessions,
  ratingCount: row.rating_count,
  ratingSum: row.rating_sum,
  trust: row.trust ?? null,
});

const styleOf = z.enum(TEACHING_STYLES);
const slots = z.array(weeklySlot);
const isLevel = (level: string | null): level is Level =>
  level !== null && (LEVELS as readonly string[]).includes(level);

/**
 * The read model holds what validated events said, so a row's shape is checked cheaply (no schema
 * parse per row: this runs for every candidate). A row that does not fit is skipped.
 */
function candidateFacts(row: CandidateRow, minutes: number[]): CandidateFacts | null {
  const weekMinutes = decodeWeekMinutes(row.week_minutes, minutes);
  if (!isLevel(row.level) || weekMinutes === null) return null;
  return {
    level: row.level,
    styles: row.styles,
    languages: row.languages,
    weekMinutes,
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
