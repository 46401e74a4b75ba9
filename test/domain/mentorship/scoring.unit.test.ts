import { describe, expect, it } from 'vitest';
import {
  historyFactor,
  type LearnerFacts,
  languageFactor,
  type MentorFacts,
  NO_HISTORY,
  scoreMatch,
  styleFactor,
  subjectFactor,
  timezoneFactor,
  weightedScore,
} from '../../../src/domain/mentorship/scoring.ts';
import { MATCH_WEIGHTS } from '../../../src/domain/mentorship/values.ts';

/** A winter Wednesday: Berlin is UTC+1, London UTC+0, New York UTC−5, Tokyo UTC+9 (no DST). */
const winter = new Date('2025-01-15T12:00:00.000Z');

describe('the weights', () => {
  it('are the seed’s, adding up to 1', () => {
    expect(MATCH_WEIGHTS).toEqual({
      subject: 0.3,
      style: 0.2,
      language: 0.15,
      availability: 0.15,
      timezone: 0.1,
      history: 0.1,
    });
    expect(Object.values(MATCH_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});

describe('scoring a mentor for a learner, by hand', () => {
  it('a Berlin mentor for a London learner, close in every way', () => {
    const mentor: MentorFacts = {
      subjects: [{ subject: 'typescript', level: 'advanced' }],
      styles: ['socratic', 'hands-on'],
      languages: ['en', 'de'],
      availability: [{ day: 0, start: '18:00', end: '20:00' }],
      timeZone: 'Europe/Berlin',
    };
    const learner: LearnerFacts = {
      preferredStyle: 'socratic',
      languages: ['en', 'fr'],
      availability: [{ day: 0, start: '17:00', end: '19:00' }],
      timeZone: 'Europe/London',
    };
    // subject      = 0.5 + 0.5 × 0.75 (advanced)                              = 0.875
    // style        = socratic is among the mentor's styles                     = 1
    // language     = {en, fr} ∩ {en, de} = {en}: 1 of 2                        = 0.5
    // availability = mentor Mon 18–20 Berlin = 17–19 UTC; learner Mon 17–19
    //                London = 17–19 UTC: 2 h shared of 2 h wanted              = 1
    // timezone     = |+60 − 0| min = 1 h → 1 − 1/12 = 0.91666…                 → 0.9167
    // history      = 2 ratings of 5 stars, 5 sessions:
    //                rating = ((10 − 2)/4 + 0.5 × 2)/(2 + 2) = (2 + 1)/4        = 0.75
    //                experience = 0.5 + 0.5 × 5/(5 + 5)                        = 0.75
    //                0.7 × 0.75 + 0.3 × 0.75                                   = 0.75
    // score = 0.3×0.875 + 0.2×1 + 0.15×0.5 + 0.15×1 + 0.1×0.9167 + 0.1×0.75
    //       = 0.2625 + 0.2 + 0.075 + 0.15 + 0.09167 + 0.075 = 0.85417          → 0.8542
    expect(
      scoreMatch(
        mentor,
        learner,
        'typescript',
        { completedSessions: 5, ratingCount: 2, ratingSum: 10 },
        winter,
      ),
    ).toEqual({
      subject: 0.875,
      style: 1,
      language: 0.5,
      availability: 1,
      timezone: 0.9167,
      history: 0.75,
      score: 0.8542,
    });
  });

  it('a Tokyo mentor for a New York learner with no style preference and no history', () => {
    const mentor: MentorFacts = {
      subjects: [{ subject: 'rust', level: 'expert' }],
      styles: ['structured'],
      languages: ['ja', 'en-us'],
      availability: [{ day: 2, start: '10:00', end: '12:00' }],
      timeZone: 'Asia/Tokyo',
    };
    const learner: LearnerFacts = {
      preferredStyle: null,
      languages: ['en'],
      availability: [{ day: 1, start: '19:00', end: '21:00' }],
      timeZone: 'America/New_York',
    };
    // subject      = 0.5 + 0.5 × 1 (expert)                                     = 1
    // style        = no preference: neutral                                    = 0.5
    // language     = en-us counts as en: 1 of 1                                = 1
    // availability = mentor Wed 10–12 Tokyo = Wed 01–03 UTC; learner Tue 19–21
    //                New York = Wed 00–02 UTC: shared 01–02 = 1 h of 2 h        = 0.5
    // timezone     = |+540 − (−300)| = 840 min = 14 h, round the clock 10 h
    //                → 1 − 10/12 = 0.16666…                                    → 0.1667
    // history      = none: neutral                                             = 0.5
    // score = 0.3×1 + 0.2×0.5 + 0.15×1 + 0.15×0.5 + 0.1×0.1667 + 0.1×0.5
    //       = 0.3 + 0.1 + 0.15 + 0.075 + 0.01667 + 0.05 = 0.69167               → 0.6917
    expect(scoreMatch(mentor, learner, 'rust', NO_HISTORY, winter)).toEqual({
      subject: 1,
      style: 0.5,
      language: 1,
      availability: 0.5,
      timezone: 0.1667,
      history: 0.5,
      score: 0.6917,
    });
  });

  it('a mentor who shares nothing scores only on time zone and history', () => {
    const mentor: MentorFacts = {
      subjects: [{ subject: 'go', level: 'beginner' }],
      styles: ['structured'],
      languages: ['de'],
      availability: [{ day: 5, start: '08:00', end: '09:00' }],
      timeZone: 'Europe/London',
    };
    const learner: LearnerFacts = {
      preferredStyle: 'project-based',
      languages: ['fr'],
      availability: [{ day: 0, start: '08:00', end: '09:00' }],
      timeZone: 'Europe/London',
    };
    // subject 0 (not taught), style 0, language 0, availability 0 (Sat vs Mon),
    // timezone 1 (same zone), history 0.5 (none)
    // score = 0.1×1 + 0.1×0.5 = 0.15
    expect(scoreMatch(mentor, learner, 'typescript', NO_HISTORY, winter)).toEqual({
      subject: 0,
      style: 0,
      language: 0,
      availability: 0,
      timezone: 1,
      history: 0.5,
      score: 0.15,
    });
  });
});

describe('each factor', () => {
  it('subject: match plus how deep the mentor teaches it', () => {
    const at = (level: 'beginner' | 'intermediate' | 'advanced' | 'expert') =>
      subjectFactor([{ subject: 'sql', level }], 'sql');
    // 0.5 + 0.5 × {0.25, 0.5, 0.75, 1}
    expect([at('beginner'), at('intermediate'), at('advanced'), at('expert')]).toEqual([
      0.625, 0.75, 0.875, 1,
    ]);
    expect(subjectFactor([{ subject: 'sql', level: 'expert' }], 'python')).toBe(0);
  });

  it('style: 1, 0, or neutral without a preference', () => {
    expect(styleFactor(['socratic'], 'socratic')).toBe(1);
    expect(styleFactor(['socratic'], 'structured')).toBe(0);
    expect(styleFactor(['socratic'], null)).toBe(0.5);
  });

  it('language: the share of the learner’s languages spoken, by primary language', () => {
    expect(languageFactor(['pt'], ['pt-br', 'en', 'es'])).toBeCloseTo(1 / 3, 10);
    expect(languageFactor(['pt', 'en'], ['pt-br', 'en', 'es'])).toBeCloseTo(2 / 3, 10);
    expect(languageFactor(['de'], [])).toBe(0.5);
  });

  it('time zone: same offset 1, twelve hours apart 0, and round the clock', () => {
    expect(timezoneFactor('Europe/Paris', 'Europe/Berlin', winter)).toBe(1);
    // Auckland in January is +13, London 0: 13 h, round the clock 11 h → 1 − 11/12
    expect(timezoneFactor('Pacific/Auckland', 'Europe/London', winter)).toBeCloseTo(1 / 12, 10);
    // Kiritimati +14 and Honolulu −10: 24 h apart, the same wall clock → 1
    expect(timezoneFactor('Pacific/Kiritimati', 'Pacific/Honolulu', winter)).toBe(1);
    // Kolkata +5:30, London 0: 5.5 h → 1 − 5.5/12 = 0.541666…
    expect(timezoneFactor('Asia/Kolkata', 'Europe/London', winter)).toBeCloseTo(0.5416667, 6);
  });

  it('history: neutral with none, shrunk toward neutral with little, high with many good ratings', () => {
    expect(historyFactor(NO_HISTORY)).toBe(0.5);
    // one 1-star rating, one session: rating = (0 + 1)/(1 + 2) = 0.3333; experience = 0.5 + 0.5 × 1/6 = 0.58333
    // 0.7 × 0.33333 + 0.3 × 0.58333 = 0.23333 + 0.175 = 0.40833
    expect(historyFactor({ completedSessions: 1, ratingCount: 1, ratingSum: 1 })).toBeCloseTo(0.408333, 5);
    // completed sessions but no ratings: rating 0.5; experience = 0.5 + 0.5 × 5/10 = 0.75
    // 0.35 + 0.225 = 0.575: sessions alone count for a little
    expect(historyFactor({ completedSessions: 5, ratingCount: 0, ratingSum: 0 })).toBeCloseTo(0.575, 10);
  });

  it('the score is the weighted sum of the factors', () => {
    // 0.3 + 0.2 + 0.15 + 0.15 + 0.1 + 0.1 = 1; all at 0.5 → 0.5
    expect(
      weightedScore({ subject: 1, style: 1, language: 1, availability: 1, timezone: 1, history: 1 }),
    ).toBe(1);
    expect(
      weightedScore({
        subject: 0.5,
        style: 0.5,
        language: 0.5,
        availability: 0.5,
        timezone: 0.5,
        history: 0.5,
      }),
    ).toBe(0.5);
    // 0.3 × 1 + 0.15 × 1 = 0.45
    expect(
      weightedScore({ subject: 1, style: 0, language: 1, availability: 0, timezone: 0, history: 0 }),
    ).toBe(0.45);
  });
});
