/**
 * The trust formula: pure, so a score is reproducible from its facts and the instant it is read
 * at, and explainable: every component is shown with its weight and value, and the score is
 *
 *   score = clamp(Σ weight × value, 0, 100), rounded to 2 decimals,
 *
 * where each value is 0..1 and the weights of the positive components add up to 100. Facts come
 * from events only (see docs/learning-progress-and-trust.md):
 *
 * - checkpoints: distinct checkpoints passed; value = n / (n + 5) (5 passed → half way);
 * - helpful: posts of theirs marked helpful by someone else; value = n / (n + 5);
 * - sessions (overall trust only: mentorship lives outside communities): mentorship sessions they
 *   took part in that ended, and the ratings the other side gave them;
 *   value = ½ × n / (n + 5) + ½ × Σ((stars − 1) / 4) / (ratings + 2): experience, and the ratings
 *   pulled toward 0 by two phantom ratings so one 5-star rating does not decide alone;
 * - tenure: days in the community (every stretch from joining to leaving or being banned, and the
 *   current one up to the reading instant); value = min(1, days / 90). Overall: days since first
 *   joining any community. The only component that moves with time alone;
 * - reports: posts of theirs a moderator removed (a report upheld); value = n / (n + 1), with a
 *   negative weight: the first removal costs half of it.
 */

export type TrustComponentName = 'checkpoints' | 'helpful' | 'sessions' | 'tenure' | 'reports';

export const COMMUNITY_TRUST_WEIGHTS: Readonly<Partial<Record<TrustComponentName, number>>> = {
  checkpoints: 35,
  helpful: 35,
  tenure: 30,
  reports: -40,
};

export const OVERALL_TRUST_WEIGHTS: Readonly<Partial<Record<TrustComponentName, number>>> = {
  checkpoints: 25,
  helpful: 25,
  sessions: 30,
  tenure: 20,
  reports: -40,
};

/** Count at which a saturating component reaches half its weight. */
export const HALF_WAY = 5;
/** Days of tenure at which the tenure component is full. */
export const FULL_TENURE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a score is computed from: counts, and tenure as closed days plus an open stretch. */
export interface TrustFacts {
  checkpointsPassed: number;
  helpfulMarks: number;
  reportsUpheld: number;
  sessionsCompleted: number;
  ratingCount: number;
  /** Sum of 1..5 star ratings received. */
  ratingSum: number;
  /** Days of earlier, closed stretches of membership. */
  tenureDays: number;
  /** Start of the current stretch (ISO instant); null when not a member now. */
  memberSince: string | null;
}

export const NO_TRUST_FACTS: TrustFacts = {
  checkpointsPassed: 0,
  helpfulMarks: 0,
  reportsUpheld: 0,
  sessionsCompleted: 0,
  ratingCount: 0,
  ratingSum: 0,
  tenureDays: 0,
  memberSince: null,
};

export interface TrustComponent {
  name: TrustComponentName;
  weight: number;
  /** 0..1. */
  value: number;
  /** The count behind the value (days for tenure). */
  count: number;
  /** weight × value: what the component adds to (or takes from) the score. */
  points: number;
}

export interface TrustScore {
  score: number;
  components: TrustComponent[];
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const saturating = (count: number, half: number) => (count <= 0 ? 0 : count / (count + half));

/** Days of membership up to `at`: the closed stretches plus the current one (never negative). */
export function tenureDaysAt(facts: Pick<TrustFacts, 'tenureDays' | 'memberSince'>, at: Date): number {
  const open =
    facts.memberSince === null ? 0 : Math.max(0, at.getTime() - Date.parse(facts.memberSince)) / DAY_MS;
  return Math.max(0, facts.tenureDays) + open;
}

/** Days between two instants (for closing a stretch), never negative. */
export function daysBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) / DAY_MS;
}

function componentValue(
  name: TrustComponentName,
  facts: TrustFacts,
  at: Date,
): { value: number; count: number } {
  switch (name) {
    case 'checkpoints':
      return { value: saturating(facts.checkpointsPassed, HALF_WAY), count: facts.checkpointsPassed };
    case 'helpful':
      return { value: saturating(facts.helpfulMarks, HALF_WAY), count: facts.helpfulMarks };
    case 'sessions': {
      const experience = saturating(facts.sessionsCompleted, HALF_WAY);
      const ratingPoints = Math.max(0, facts.ratingSum - facts.ratingCount) / 4;
      const rating = facts.ratingCount <= 0 ? 0 : ratingPoints / (facts.ratingCount + 2);
      return { value: 0.5 * experience + 0.5 * rating, count: facts.sessionsCompleted };
    }
    case 'tenure': {
      const days = tenureDaysAt(facts, at);
      return { value: Math.min(1, days / FULL_TENURE_DAYS), count: Math.floor(days) };
    }
    case 'reports':
      return { value: saturating(facts.reportsUpheld, 1), count: facts.reportsUpheld };
  }
}

/** The score and its components for one set of weights (a community's or the overall one) at `at`. */
export function trustScore(
  facts: TrustFacts,
  at: Date,
  weights: Readonly<Partial<Record<TrustComponentName, number>>> = COMMUNITY_TRUST_WEIGHTS,
): TrustScore {
  const components: TrustComponent[] = [];
  let total = 0;
  for (const [name, weight] of Object.entries(weights) as [TrustComponentName, number][]) {
    const { value, count } = componentValue(name, facts, at);
    const points = weight * value;
    total += points;
    components.push({ name, weight, value: round(value, 4), count, points: round(points, 2) });
  }
  return { score: round(Math.min(100, Math.max(0, total)), 2), components };
}

/** The overall score (every community together, and mentorship sessions). */
export const overallTrustScore = (facts: TrustFacts, at: Date) =>
  trustScore(facts, at, OVERALL_TRUST_WEIGHTS);

/**
 * Everything but tenure, weighted and summed (not clamped): with the tenure facts, what a reader
 * needs to compute the score at any instant (`score = clamp(base + tenure weight × tenure value)`),
 * which is how SQL orders a leaderboard by the score at the time of reading.
 */
export function trustBase(
  facts: TrustFacts,
  weights: Readonly<Partial<Record<TrustComponentName, number>>> = COMMUNITY_TRUST_WEIGHTS,
): number {
  let base = 0;
  for (const [name, weight] of Object.entries(weights) as [TrustComponentName, number][]) {
    if (name !== 'tenure') base += weight * componentValue(name, facts, new Date(0)).value;
  }
  return base;
}
