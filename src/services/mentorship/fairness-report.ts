import type pg from 'pg';
import { z } from 'zod';
import { MENTOR_COHORTS, type MentorCohort } from '../../domain/mentorship/values.ts';
import { validation } from '../../domain/shared/domain-error.ts';

/** One cohort's offers over the period, by outcome, and its rates. */
export interface CohortFairness {
  cohort: MentorCohort;
  /** Distinct mentors of the cohort who were offered a learner. */
  mentors: number;
  offers: number;
  accepted: number;
  declined: number;
  expired: number;
  skipped: number;
  withdrawn: number;
  pending: number;
  /** accepted / offers; null with no offers. */
  acceptanceRate: number | null;
  /** The cohort's share of all offers in the period; null with no offers at all. */
  offerShare: number | null;
  /** Mean score of the offers made; null with none. */
  averageScore: number | null;
}

export interface FairnessReport {
  from: string;
  to: string;
  totalOffers: number;
  cohorts: CohortFairness[];
}

export const fairnessReportInput = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((period) => Date.parse(period.to) > Date.parse(period.from), {
    message: 'to is after from',
    path: ['to'],
  });

/**
 * Offers and acceptance per mentor cohort over [from, to), counted by when the offer was made and
 * with the cohort as recorded on the offer (a mentor who since became experienced still counts as
 * new for offers made while new). Every cohort is listed, with zeros when it had no offers.
 */
export async function fairnessReport(pool: pg.Pool, raw: unknown): Promise<FairnessReport> {
  const parsed = fairnessReportInput.safeParse(raw);
  if (!parsed.success) {
    throw validation('INVALID_PERIOD', 'A period is two ISO instants, from before to', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  const { from, to } = parsed.data;
  const { rows } = await pool.query<{
    cohort: string;
    mentors: number;
    offers: number;
    accepted: number;
    declined: number;
    expired: number;
    skipped: number;
    withdrawn: number;
    pending: number;
    average_score: number | null;
  }>(
    `select mentor_cohort as cohort, count(distinct mentor_id)::int as mentors, count(*)::int as offers,
            count(*) filter (where outcome = 'accepted')::int as accepted,
            count(*) filter (where outcome = 'declined')::int as declined,
            count(*) filter (where outcome = 'expired')::int as expired,
            count(*) filter (where outcome = 'skipped')::int as skipped,
            count(*) filter (where outcome = 'withdrawn')::int as withdrawn,
            count(*) filter (where outcome = 'pending')::int as pending,
            avg(score)::float8 as average_score
       from match_offers
      where offered_at >= $1::timestamptz and offered_at < $2::timestamptz
      group by mentor_cohort`,
    [from, to],
  );
  const totalOffers = rows.reduce((sum, row) => sum + row.offers, 0);
  const cohorts = MENTOR_COHORTS.map((cohort): CohortFairness => {
    const row = rows.find((candidate) => candidate.cohort === cohort);
    const offers = row?.offers ?? 0;
    const accepted = row?.accepted ?? 0;
    return {
      cohort,
      mentors: row?.mentors ?? 0,
      offers,
      accepted,
      declined: row?.declined ?? 0,
      expired: row?.expired ?? 0,
      skipped: row?.skipped ?? 0,
      withdrawn: row?.withdrawn ?? 0,
      pending: row?.pending ?? 0,
      acceptanceRate: offers === 0 ? null : accepted / offers,
      offerShare: totalOffers === 0 ? null : offers / totalOffers,
      averageScore: row?.average_score ?? null,
    };
  });
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), totalOffers, cohorts };
}
