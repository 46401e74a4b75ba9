import type { FactorBreakdown, MentorCohort } from './values.ts';

/**
 * Ranking scored mentors for one request, with the seed's fairness rules: the best score first;
 * among equal scores the mentor offered least recently (never offered first), then by id so the
 * order is total and reproducible. Pure.
 */
export interface ScoredCandidate {
  mentorId: string;
  factors: FactorBreakdown;
  /** ISO instant of the mentor's last offer to anyone; null when never offered. */
  lastOfferedAt: string | null;
  completedSessions: number;
}

export interface RankingOptions {
  /** Mentors never to put forward (the learner themself, those who declined or let an offer lapse). */
  exclude?: Iterable<string>;
  limit?: number;
}

export function compareCandidates(a: ScoredCandidate, b: ScoredCandidate): number {
  if (a.factors.score !== b.factors.score) return b.factors.score - a.factors.score;
  if (a.lastOfferedAt !== b.lastOfferedAt) {
    if (a.lastOfferedAt === null) return -1;
    if (b.lastOfferedAt === null) return 1;
    const difference = Date.parse(a.lastOfferedAt) - Date.parse(b.lastOfferedAt);
    if (difference !== 0) return difference;
  }
  return a.mentorId < b.mentorId ? -1 : a.mentorId > b.mentorId ? 1 : 0;
}

export function rankScored<Candidate extends ScoredCandidate>(
  candidates: readonly Candidate[],
  options: RankingOptions = {},
): Candidate[] {
  const excluded = new Set(options.exclude ?? []);
  const ranked = candidates.filter((candidate) => !excluded.has(candidate.mentorId)).sort(compareCandidates);
  return options.limit === undefined ? ranked : ranked.slice(0, Math.max(0, options.limit));
}

/** Completed sessions from which a mentor counts as experienced in the fairness report's cohorts. */
export const EXPERIENCED_AFTER_SESSIONS = 3;

/** The cohort an offer records: `new` until a mentor has completed a few sessions. */
export const mentorCohortOf = (completedSessions: number): MentorCohort =>
  completedSessions >= EXPERIENCED_AFTER_SESSIONS ? 'experienced' : 'new';
