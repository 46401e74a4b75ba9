/**
 * The "for you" score: what puts one video above another in a person's feed, as a sum of named,
 * weighted components so every ranking explains itself (the API returns the components).
 *
 * - `recency`: 1 for a video posted now, halving every 24 hours of age, so old videos fade
 *   without ever dropping to zero (a very active old video can still show).
 * - `velocity`: ln(1 + trending's engagement velocity over the last day) (likes 1, comments 3,
 *   shares 5 per minute, newer minutes weighing more). The logarithm keeps one viral video from
 *   drowning every other signal: ten times the engagement adds a constant, not ten times the score.
 * - `followed`: 1 when the viewer follows the creator. Small: those videos are already in the
 *   home feed, and "for you" is for finding what is not.
 * - `friendsFollow`: ln(1 + how many of the people the viewer follows follow the creator), the
 *   "follows of people you follow" signal: second-degree creators rise, more so the more of the
 *   viewer's circle follows them.
 * - `friendsLiked`: ln(1 + how many of the people the viewer follows liked the video).
 *
 * A newcomer has no follows, so the last three are 0 and the feed is recent videos ordered by
 * velocity, then recency: trending with fresh uploads mixed in. Pure: the clock is an input.
 */

export interface ForYouSignals {
  postedAt: Date;
  /** Trending's velocity of the video over the window, as of `asOf` (0 when none). */
  velocity: number;
  followsCreator: boolean;
  /** People the viewer follows who follow the video's creator. */
  friendsFollowingCreator: number;
  /** People the viewer follows who liked the video. */
  friendsWhoLiked: number;
}

export type ForYouComponentName = 'recency' | 'velocity' | 'followed' | 'friendsFollow' | 'friendsLiked';

export interface ForYouComponent {
  name: ForYouComponentName;
  weight: number;
  value: number;
}

export interface ForYouScore {
  total: number;
  components: ForYouComponent[];
}

/** The weights, in the order the components are listed. */
export const FOR_YOU_WEIGHTS: Readonly<Record<ForYouComponentName, number>> = {
  recency: 1,
  velocity: 1,
  followed: 0.5,
  friendsFollow: 1.5,
  friendsLiked: 1,
};

/** Recency halves with every this many hours of age. */
export const RECENCY_HALF_LIFE_HOURS = 24;

const HOUR_MS = 3_600_000;

export function forYouScore(signals: ForYouSignals, asOf: Date): ForYouScore {
  // A video stamped after `asOf` (clock skew between writers) counts as brand new, never above 1.
  const ageHours = Math.max(0, asOf.getTime() - signals.postedAt.getTime()) / HOUR_MS;
  const values: Record<ForYouComponentName, number> = {
    recency: 0.5 ** (ageHours / RECENCY_HALF_LIFE_HOURS),
    velocity: Math.log1p(Math.max(0, signals.velocity)),
    followed: signals.followsCreator ? 1 : 0,
    friendsFollow: Math.log1p(Math.max(0, signals.friendsFollowingCreator)),
    friendsLiked: Math.log1p(Math.max(0, signals.friendsWhoLiked)),
  };
  const components = (Object.keys(FOR_YOU_WEIGHTS) as ForYouComponentName[]).map((name) => ({
    name,
    weight: FOR_YOU_WEIGHTS[name],
    value: values[name],
  }));
  const total = components.reduce((sum, c) => sum + c.weight * c.value, 0);
  return { total, components };
}

/**
 * The feed's order: higher total first, then the video id, so equal scores still have one order
 * and a (total, id) cursor names one place in it.
 */
export function compareForYou(a: { total: number; id: string }, b: { total: number; id: string }): number {
  if (a.total !== b.total) return b.total - a.total;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether `entry` comes after the cursor `(total, id)` in the feed's order. */
export const isAfter = (entry: { total: number; id: string }, cursor: { total: number; id: string }) =>
  compareForYou(entry, cursor) > 0;
