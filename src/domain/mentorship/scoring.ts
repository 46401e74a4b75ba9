import {
  type Availability,
  offsetMinutes,
  overlapWith,
  utcWeekOf,
  weeklyOverlap,
  weekMinutes,
} from './availability.ts';
import {
  type FactorBreakdown,
  type FactorName,
  type Level,
  MATCH_WEIGHTS,
  type MentorSubject,
  type TeachingStyle,
} from './values.ts';

/**
 * How well a mentor fits a learner's request, factor by factor (each 0..1), and the weighted score
 * with the seed's weights (EduConnect: subject 30%, style 20%, language 15%, availability 15%,
 * time zone 10%, history 10%). Pure: the reference instant comes in, so a score is reproducible.
 * Factors and score are rounded to 4 decimals, so what is stored and shown is what was compared.
 */

export interface MentorFacts extends Availability {
  subjects: readonly MentorSubject[];
  styles: readonly TeachingStyle[];
  languages: readonly string[];
}

export interface LearnerFacts extends Availability {
  preferredStyle: TeachingStyle | null;
  languages: readonly string[];
}

/** What the ranking knows of a mentor's past: from the sessions read model (`mentor_stats`). */
export interface MentorHistory {
  completedSessions: number;
  ratingCount: number;
  /** Sum of 1..5 star ratings. */
  ratingSum: number;
  /**
   * The mentor's overall community trust (0–100, src/domain/communities/trust.ts); absent or null
   * when they have none on record, which leaves the history factor as sessions alone make it.
   */
  trust?: number | null;
}

export const NO_HISTORY: MentorHistory = { completedSessions: 0, ratingCount: 0, ratingSum: 0 };

/** The neutral value of a factor the learner gave nothing to judge by. */
export const NEUTRAL = 0.5;

const LEVEL_DEPTH: Readonly<Record<Level, number>> = {
  beginner: 0.25,
  intermediate: 0.5,
  advanced: 0.75,
  expert: 1,
};

/**
 * Subject: 0 when the mentor does not teach it. Otherwise half for teaching it at all and half for
 * the level fit: a learner states no level, so the fit is how deep the mentor goes
 * (beginner 0.25, intermediate 0.5, advanced 0.75, expert 1) → 0.625, 0.75, 0.875 or 1.
 */
export function subjectFactor(mentorSubjects: readonly MentorSubject[], subject: string): number {
  const taught = mentorSubjects.find((entry) => entry.subject === subject);
  return taught ? 0.5 + 0.5 * LEVEL_DEPTH[taught.level] : 0;
}

/** Style: 1 when the mentor teaches in the learner's preferred style, 0 when not, neutral with no preference. */
export function styleFactor(mentorStyles: readonly TeachingStyle[], preferred: TeachingStyle | null): number {
  if (preferred === null) return NEUTRAL;
  return mentorStyles.includes(preferred) ? 1 : 0;
}

/**
 * Language: the share of the learner's languages the mentor speaks, compared by primary language
 * (`pt-br` meets `pt`). Two of three → 0.6667; none → 0; a learner with no languages → neutral.
 */
export function languageFactor(
  mentorLanguages: readonly string[],
  learnerLanguages: readonly string[],
): number {
  const wanted = new Set(learnerLanguages.map(primary));
  if (wanted.size === 0) return NEUTRAL;
  const spoken = new Set(mentorLanguages.map(primary));
  let shared = 0;
  for (const language of wanted) if (spoken.has(language)) shared++;
  return shared / wanted.size;
}

const primary = (tag: string) => tag.split('-')[0] ?? tag;

/**
 * Availability: hours a week both are free (each person's weekly slots converted from their own
 * zone to UTC, for the UTC week holding `at`) over the hours the learner asked for, capped at 1.
 * A learner with no slots gets the neutral value.
 */
export function availabilityFactor(mentor: Availability, learner: Availability, at: Date): number {
  const { overlapMinutes, learnerMinutes } = weeklyOverlap(mentor, learner, at);
  if (learnerMinutes === 0) return NEUTRAL;
  return Math.min(1, overlapMinutes / learnerMinutes);
}

/**
 * Time zone: 1 − (hours between the two zones' UTC offsets at `at`) / 12, the distance taken round
 * the clock (UTC+14 and UTC−10 are 0 hours apart, as their days are). Same offset → 1; 12 hours → 0.
 */
export function timezoneFactor(mentorZone: string, learnerZone: string, at: Date): number {
  const minutes = Math.abs(
    offsetMinutes(mentorZone, at.getTime()) - offsetMinutes(learnerZone, at.getTime()),
  );
  const hours = Math.min(minutes, 24 * 60 - minutes) / 60;
  return Math.max(0, 1 - hours / 12);
}

/** Phantom neutral ratings every mentor starts with, so one rating does not decide alone. */
const PRIOR_RATINGS = 2;
/** Sessions at which experience counts half way to its maximum. */
const HALF_EXPERIENCE = 5;

/** How far full community trust moves the history factor toward 1 (see `historyFactor`). */
export const TRUST_SHARE = 0.2;

/**
 * History: 0.7 × rating + 0.3 × experience, where
 * - rating = (Σ (stars − 1) / 4 + 0.5 × 2) / (ratings + 2): the mean rating on 0..1, pulled toward
 *   the neutral 0.5 by two phantom ratings;
 * - experience = 0.5 + 0.5 × completed / (completed + 5): 0.5 with no sessions, toward 1 with many.
 * With no ratings and no completed sessions it is exactly the neutral 0.5, so new mentors are
 * neither favoured nor penalised. A mentor's overall community trust then moves it toward 1 by
 * 0.2 × (1 − that) × trust / 100: a mentor whom communities trust (checkpoints passed, helpful
 * answers, tenure, no removed posts) ranks a little higher, while a newcomer to communities
 * (trust near 0) or a mentor in none is not ranked lower than sessions alone would rank them.
 */
export function historyFactor(history: MentorHistory): number {
  const sessions = sessionHistory(history);
  const trust = history.trust;
  if (trust === undefined || trust === null || !Number.isFinite(trust)) return sessions;
  const share = Math.min(100, Math.max(0, trust)) / 100;
  return Math.min(1, Math.max(0, sessions + TRUST_SHARE * (1 - sessions) * share));
}

function sessionHistory(history: MentorHistory): number {
  const { completedSessions, ratingCount, ratingSum } = history;
  if (completedSessions <= 0 && ratingCount <= 0) return NEUTRAL;
  const points = (ratingSum - ratingCount) / 4;
  const rating = (points + NEUTRAL * PRIOR_RATINGS) / (ratingCount + PRIOR_RATINGS);
  const completed = Math.max(0, completedSessions);
  const experience = 0.5 + 0.5 * (completed / (completed + HALF_EXPERIENCE));
  return Math.min(1, Math.max(0, 0.7 * rating + 0.3 * experience));
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** The weighted sum of (rounded) factors, rounded. */
const WEIGHTS = Object.entries(MATCH_WEIGHTS) as [FactorName, number][];

export function weightedScore(factors: Record<FactorName, number>): number {
  let score = 0;
  for (const [name, weight] of WEIGHTS) {
    score += weight * factors[name];
  }
  return round(score);
}

/** Every factor and the score of one mentor for one request. */
export function scoreMatch(
  mentor: MentorFacts,
  learner: LearnerFacts,
  subject: string,
  history: MentorHistory,
  at: Date,
): FactorBreakdown {
  return matchScorer(learner, subject, at)(mentor, history);
}

/**
 * `scoreMatch` for many mentors and one request: what depends on the learner alone (their week in
 * UTC, their languages, their zone's offset) is worked out once, and zone offsets once per zone,
 * so ranking ten thousand mentors costs arithmetic per mentor, not time zone look-ups.
 */
export function matchScorer(
  learner: LearnerFacts,
  subject: string,
  at: Date,
): (mentor: MentorFacts, history: MentorHistory) => FactorBreakdown {
  const perRequest = requestFacts(learner, at);
  return (mentor, history) =>
    breakdown({
      subject: subjectFactor(mentor.subjects, subject),
      style: styleFactor(mentor.styles, learner.preferredStyle),
      language: languageFactor(mentor.languages, learner.languages),
      availability: perRequest.availability(weekMinutes(mentor.availability), mentor.timeZone),
      timezone: perRequest.timezone(mentor.timeZone),
      history: historyFactor(history),
    });
}

/**
 * A candidate as ranking reads them from the read model: the level they teach the requested
 * subject at, styles and languages comma-separated, and their slots as local minute-of-week pairs
 * (`weekMinutes`): the shape that is cheapest to fetch for ten thousand rows.
 */
export interface CandidateFacts {
  level: Level;
  styles: string;
  languages: string;
  weekMinutes: readonly number[];
  timeZone: string;
}

/** `candidateScorer`'s two ways to score a candidate, with the same numbers. */
export interface CandidateScorer {
  /** The weighted score alone, allocating nothing: all that ranking needs for most candidates. */
  score(mentor: CandidateFacts, history: MentorHistory): number;
  /** Every factor and the score, as `scoreMatch` gives them: for the few candidates put forward. */
  breakdown(mentor: CandidateFacts, history: MentorHistory): FactorBreakdown;
}

/**
 * `matchScorer` for candidates in their read-model shape (`CandidateFacts`), with the same factors
 * and score. Style and language factors depend only on the mentor's list, and few distinct lists
 * occur, so each distinct list is scored once per request with the same functions.
 */
export function candidateScorer(learner: LearnerFacts, at: Date): CandidateScorer {
  const perRequest = requestFacts(learner, at);
  const styles = memo((list) => styleFactor(list.split(',') as TeachingStyle[], learner.preferredStyle));
  const languages = memo((list) => languageFactor(list.split(','), learner.languages));
  const factorsInto = (mentor: CandidateFacts, history: MentorHistory, into: Record<FactorName, number>) => {
    into.subject = round(0.5 + 0.5 * LEVEL_DEPTH[mentor.level]);
    into.style = round(styles(mentor.styles));
    into.language = round(languages(mentor.languages));
    into.availability = round(perRequest.availability(mentor.weekMinutes, mentor.timeZone));
    into.timezone = round(perRequest.timezone(mentor.timeZone));
    into.history = round(historyFactor(history));
    return into;
  };
  const scratch = { subject: 0, style: 0, language: 0, availability: 0, timezone: 0, history: 0 };
  return {
    score: (mentor, history) => weightedScore(factorsInto(mentor, history, scratch)),
    breakdown(mentor, history) {
      const factors = factorsInto(mentor, history, { ...scratch });
      return { ...factors, score: weightedScore(factors) };
    },
  };
}

/** The availability and time zone factors' per-request part: the learner's UTC week and offset. */
function requestFacts(learner: LearnerFacts, at: Date) {
  const overlap = overlapWith(learner, utcWeekOf(at));
  const offsetOf = memo((zone) => offsetMinutes(zone, at.getTime()));
  const learnerOffset = offsetOf(learner.timeZone);
  return {
    availability(minutes: readonly number[], timeZone: string): number {
      if (overlap.wantedMinutes === 0) return NEUTRAL;
      return Math.min(1, overlap.sharedMinutes(minutes, timeZone) / overlap.wantedMinutes);
    },
    timezone: memo((zone) => {
      const apart = Math.abs(offsetOf(zone) - learnerOffset);
      const hours = Math.min(apart, 24 * 60 - apart) / 60;
      return Math.max(0, 1 - hours / 12);
    }),
  };
}

/** Each factor rounded, and the weighted score of the rounded factors. */
function breakdown(factors: Record<FactorName, number>): FactorBreakdown {
  const rounded = {
    subject: round(factors.subject),
    style: round(factors.style),
    language: round(factors.language),
    availability: round(factors.availability),
    timezone: round(factors.timezone),
    history: round(factors.history),
  };
  return { ...rounded, score: weightedScore(rounded) };
}

/** A function of a string, computed once per distinct argument. */
function memo(compute: (key: string) => number): (key: string) => number {
  const known = new Map<string, number>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}
