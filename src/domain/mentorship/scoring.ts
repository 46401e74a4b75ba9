import {
  type Availability,
  intersect,
  offsetMinutes,
  totalMinutes,
  utcWeekOf,
  weeklyIntervals,
  weeklyOverlap,
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

/**
 * History: 0.7 × rating + 0.3 × experience, where
 * - rating = (Σ (stars − 1) / 4 + 0.5 × 2) / (ratings + 2): the mean rating on 0..1, pulled toward
 *   the neutral 0.5 by two phantom ratings;
 * - experience = 0.5 + 0.5 × completed / (completed + 5): 0.5 with no sessions, toward 1 with many.
 * With no ratings and no completed sessions it is exactly the neutral 0.5, so new mentors are
 * neither favoured nor penalised.
 */
export function historyFactor(history: MentorHistory): number {
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
export function weightedScore(factors: Record<FactorName, number>): number {
  let score = 0;
  for (const [name, weight] of Object.entries(MATCH_WEIGHTS) as [FactorName, number][]) {
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
  const week = utcWeekOf(at);
  const wanted = weeklyIntervals(learner, week);
  const wantedMinutes = totalMinutes(wanted);
  const offsets = new Map<string, number>();
  const offsetOf = (zone: string) => {
    let offset = offsets.get(zone);
    if (offset === undefined) {
      offset = offsetMinutes(zone, at.getTime());
      offsets.set(zone, offset);
    }
    return offset;
  };
  const learnerOffset = offsetOf(learner.timeZone);
  return (mentor, history) => {
    const shared = wantedMinutes === 0 ? 0 : totalMinutes(intersect(weeklyIntervals(mentor, week), wanted));
    const apart = Math.abs(offsetOf(mentor.timeZone) - learnerOffset);
    const hours = Math.min(apart, 24 * 60 - apart) / 60;
    const factors = {
      subject: round(subjectFactor(mentor.subjects, subject)),
      style: round(styleFactor(mentor.styles, learner.preferredStyle)),
      language: round(languageFactor(mentor.languages, learner.languages)),
      availability: round(wantedMinutes === 0 ? NEUTRAL : Math.min(1, shared / wantedMinutes)),
      timezone: round(Math.max(0, 1 - hours / 12)),
      history: round(historyFactor(history)),
    };
    return { ...factors, score: weightedScore(factors) };
  };
}
