import { describe, expect, it } from 'vitest';
import { decodeWeekMinutes, encodeWeekMinutes } from '../../../src/domain/mentorship/availability.ts';
import { candidateScorer, type MentorHistory, scoreMatch } from '../../../src/domain/mentorship/scoring.ts';
import {
  LEVELS,
  TEACHING_STYLES,
  type TeachingStyle,
  type WeeklySlot,
} from '../../../src/domain/mentorship/values.ts';

/**
 * Ranking scores thousands of candidates with `candidateScorer` (precomputed columns, integer
 * arithmetic, a fast path for zones with one offset all week). It must give exactly what
 * `scoreMatch` — the readable definition — gives, in every zone and around daylight-saving changes.
 */

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Asia/Tokyo',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'America/Sao_Paulo',
];

/** Ordinary weeks and the weeks of daylight-saving changes in Europe, North America and Oceania. */
const INSTANTS = [
  '2026-01-14T12:00:00Z',
  '2026-03-08T06:30:00Z',
  '2026-03-29T00:59:00Z',
  '2026-04-05T15:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-11-01T05:59:00Z',
];

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

function slotsFrom(random: () => number): WeeklySlot[] {
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
    const start = Math.floor(random() * 92) * 15;
    const end = Math.min(24 * 60, start + 15 * (1 + Math.floor(random() * 24)));
    return { day: Math.floor(random() * 7), start: hhmm(start), end: hhmm(end) };
  });
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

describe('candidateScorer', () => {
  it('gives exactly the factors and score of scoreMatch, across zones and daylight-saving weeks', () => {
    const random = prng(20261123);
    let compared = 0;
    for (const instant of INSTANTS) {
      const at = new Date(instant);
      const learner = {
        availability: slotsFrom(random),
        timeZone: pick(random, ZONES),
        preferredStyle: random() < 0.2 ? null : pick(random, TEACHING_STYLES),
        languages: random() < 0.1 ? [] : ['en', pick(random, ['pt-br', 'de', 'ja'])],
      };
      const scorer = candidateScorer(learner, at);
      for (let i = 0; i < 150; i++) {
        const level = pick(random, LEVELS);
        const styles: TeachingStyle[] = [pick(random, TEACHING_STYLES), pick(random, TEACHING_STYLES)];
        const languages = [pick(random, ['en', 'pt', 'de-at', 'fr'])];
        const availability = slotsFrom(random);
        const timeZone = pick(random, ZONES);
        const history: MentorHistory = {
          completedSessions: Math.floor(random() * 12),
          ratingCount: Math.floor(random() * 5),
          ratingSum: 0,
        };
        history.ratingSum = history.ratingCount * (1 + Math.floor(random() * 5));
        const expected = scoreMatch(
          { subjects: [{ subject: 'algebra', level }], styles, languages, availability, timeZone },
          learner,
          'algebra',
          history,
          at,
        );
        const weekMinutes = decodeWeekMinutes(encodeWeekMinutes(availability)) ?? [];
        const facts = {
          level,
          styles: styles.join(','),
          languages: languages.join(','),
          weekMinutes,
          timeZone,
        };
        expect(scorer.breakdown(facts, history)).toEqual(expected);
        expect(scorer.score(facts, history)).toBe(expected.score);
        compared++;
      }
    }
    expect(compared).toBe(INSTANTS.length * 150);
  });

  it('reads back the compact weekly minutes it stores, and refuses text of another form', () => {
    const slots: WeeklySlot[] = [
      { day: 0, start: '09:00', end: '10:30' },
      { day: 6, start: '22:00', end: '24:00' },
    ];
    expect(decodeWeekMinutes(encodeWeekMinutes(slots))).toEqual([540, 630, 9960, 10080]);
    expect(decodeWeekMinutes('9:00-10:00')).toBeNull();
  });
});
