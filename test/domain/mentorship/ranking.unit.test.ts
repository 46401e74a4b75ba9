import { describe, expect, it } from 'vitest';
import { mentorCohortOf, rankScored, type ScoredCandidate } from '../../../src/domain/mentorship/ranking.ts';

const candidate = (
  mentorId: string,
  score: number,
  lastOfferedAt: string | null = null,
): ScoredCandidate => ({
  mentorId,
  factors: { subject: 1, style: 1, language: 1, availability: 1, timezone: 1, history: 0.5, score },
  lastOfferedAt,
  completedSessions: 0,
});

const ids = (ranked: ScoredCandidate[]) => ranked.map((c) => c.mentorId);

describe('ranking scored mentors', () => {
  it('puts the best score first', () => {
    expect(ids(rankScored([candidate('a', 0.5), candidate('b', 0.9), candidate('c', 0.7)]))).toEqual([
      'b',
      'c',
      'a',
    ]);
  });

  it('breaks ties by who was offered least recently, never-offered first, then by id', () => {
    const ranked = rankScored([
      candidate('d', 0.8, '2025-01-10T00:00:00.000Z'),
      candidate('c', 0.8, '2025-01-01T00:00:00.000Z'),
      candidate('b', 0.8, null),
      candidate('a', 0.8, '2025-01-01T00:00:00.000Z'),
      candidate('z', 0.8, null),
    ]);
    expect(ids(ranked)).toEqual(['b', 'z', 'a', 'c', 'd']);
  });

  it('leaves out excluded mentors and keeps the limit', () => {
    const all = [candidate('a', 0.9), candidate('b', 0.8), candidate('c', 0.7), candidate('d', 0.6)];
    expect(ids(rankScored(all, { exclude: ['a', 'c'] }))).toEqual(['b', 'd']);
    expect(ids(rankScored(all, { limit: 2 }))).toEqual(['a', 'b']);
    expect(ids(rankScored(all, { exclude: ['b'], limit: 2 }))).toEqual(['a', 'c']);
  });

  it('does not reorder its input', () => {
    const input = [candidate('a', 0.1), candidate('b', 0.9)];
    rankScored(input);
    expect(ids(input)).toEqual(['a', 'b']);
  });
});

describe('cohorts', () => {
  it('a mentor is new until three completed sessions', () => {
    expect([0, 2, 3, 10].map(mentorCohortOf)).toEqual(['new', 'new', 'experienced', 'experienced']);
  });
});
