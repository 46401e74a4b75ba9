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
  return compareRanks(a.factors.score, b.factors.score, a, b);
}

/** Who a tie on the score is broken by. */
export type TieBreak = Pick<ScoredCandidate, 'lastOfferedAt' | 'mentorId'>;

/** `compareCandidates` with the scores apart, for callers that rank before building the factors. */
export function compareRanks(aScore: number, bScore: number, a: TieBreak, b: TieBreak): number {
  if (aScore !== bScore) return bScore - aScore;
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
  const eligible = (candidate: Candidate) => !excluded.has(candidate.mentorId);
  if (options.limit === undefined) return candidates.filter(eligible).sort(compareCandidates);
  return best(candidates, eligible, Math.max(0, options.limit), compareCandidates);
}

/**
 * The first `limit` of `items` in `compare` order, as sorting and slicing would give them (ties
 * keep their input order), without sorting them all: a request wants twenty of ten thousand, so
 * most candidates are turned away after one comparison with the worst of the best so far.
 */
export function best<Item>(
  items: readonly Item[],
  keep: (item: Item) => boolean,
  limit: number,
  compare: (a: Item, b: Item) => number,
): Item[] {
  const chosen: Item[] = [];
  if (limit === 0) return chosen;
  for (const item of items) {
    if (!keep(item)) continue;
    if (chosen.length === limit && compare(item, chosen[limit - 1] as Item) >= 0) continue;
    // Binary search for the first chosen item that `item` comes before (after any equal ones).
    let low = 0;
    let high = chosen.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(item, chosen[middle] as Item) < 0) high = middle;
      else low = middle + 1;
    }
    chosen.splice(low, 0, item);
    if (chosen.length > limit) chosen.pop();
  }
  return chosen;
}

/** Completed sessions from which a mentor counts as experienced in the fairness report's cohorts. */
export const EXPERIENCED_AFTER_SESSIONS = 3;

/** The cohort an offer records: `new` until a mentor has completed a few sessions. */
export const mentorCohortOf = (completedSessions: number): MentorCohort =>
  completedSessions >= EXPERIENCED_AFTER_SESSIONS ? 'experienced' : 'new';
