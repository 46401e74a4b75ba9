import { describe, expect, it } from 'vitest';
import {
  compareForYou,
  type ForYouSignals,
  forYouScore,
  isAfter,
} from '../../../src/domain/social/for-you-score.ts';

const asOf = new Date('2026-06-02T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(asOf.getTime() - hours * 3_600_000);
const stranger: ForYouSignals = {
  postedAt: hoursAgo(0),
  velocity: 0,
  followsCreator: false,
  friendsFollowingCreator: 0,
  friendsWhoLiked: 0,
};
const total = (signals: Partial<ForYouSignals>) => forYouScore({ ...stranger, ...signals }, asOf).total;

describe('the for-you score', () => {
  it('explains itself: each component with its weight and value, the total their weighted sum', () => {
    const score = forYouScore(
      {
        postedAt: hoursAgo(24),
        velocity: Math.E - 1,
        followsCreator: true,
        friendsFollowingCreator: 3,
        friendsWhoLiked: 1,
      },
      asOf,
    );
    expect(score.components).toEqual([
      { name: 'recency', weight: 1, value: 0.5 },
      { name: 'velocity', weight: 1, value: 1 },
      { name: 'followed', weight: 0.5, value: 1 },
      { name: 'friendsFollow', weight: 1.5, value: Math.log(4) },
      { name: 'friendsLiked', weight: 1, value: Math.log(2) },
    ]);
    expect(score.total).toBeCloseTo(0.5 + 1 + 0.5 + 1.5 * Math.log(4) + Math.log(2), 12);
  });

  it('given a newcomer (no follows), orders by velocity, then by recency', () => {
    expect(total({ velocity: 10, postedAt: hoursAgo(30) })).toBeGreaterThan(total({ velocity: 2 }));
    expect(total({ postedAt: hoursAgo(1) })).toBeGreaterThan(total({ postedAt: hoursAgo(5) }));
  });

  it('halves recency every 24 hours and never lets it go above 1 for a clock that ran ahead', () => {
    expect(forYouScore({ ...stranger, postedAt: hoursAgo(48) }, asOf).components[0]?.value).toBe(0.25);
    expect(forYouScore({ ...stranger, postedAt: hoursAgo(-2) }, asOf).components[0]?.value).toBe(1);
  });

  it('lifts a creator that people the viewer follows follow, more so the more of them', () => {
    const quiet = total({ postedAt: hoursAgo(12) });
    const oneFriend = total({ postedAt: hoursAgo(12), friendsFollowingCreator: 1 });
    const threeFriends = total({ postedAt: hoursAgo(12), friendsFollowingCreator: 3 });
    expect(oneFriend).toBeGreaterThan(quiet);
    expect(threeFriends).toBeGreaterThan(oneFriend);
    // Second degree outweighs a few minutes' worth of strangers' likes on an equally new video.
    expect(oneFriend).toBeGreaterThan(total({ postedAt: hoursAgo(12), velocity: 1 }));
  });

  it('damps velocity: ten times the engagement adds a constant, not ten times the score', () => {
    const gain = (v: number) => total({ velocity: v * 10 }) - total({ velocity: v });
    expect(gain(100)).toBeCloseTo(gain(1000), 1);
  });

  it('treats negative or missing counts as none', () => {
    expect(total({ velocity: -5, friendsWhoLiked: -1, friendsFollowingCreator: -2 })).toBe(total({}));
  });

  it('orders by total, then by id, and places a cursor in that order', () => {
    const a = { total: 2, id: 'a' };
    const b = { total: 2, id: 'b' };
    const c = { total: 3, id: 'c' };
    expect([a, b, c].sort(compareForYou)).toEqual([c, a, b]);
    expect(isAfter(b, a)).toBe(true);
    expect(isAfter(a, a)).toBe(false);
    expect(isAfter(c, a)).toBe(false);
  });
});
