/**
 * Engagement velocity as trending measures it (`trendingVideos` in engagement-queries.ts spells
 * out the same formula inline), for the "for you" feed: each minute's likes, comments and shares of `social_video_activity a` in the window,
 * weighted 1, 3 and 5 and decayed linearly with age (a minute at the window's start counts a
 * tenth of the latest), summed per video. `windowMinutes` and `now` are SQL expressions (query
 * parameters), an int and a timestamptz.
 */
export function velocitySql(windowMinutes: string, now: string): string {
  return `sum((a.likes + 3 * a.comments + 5 * a.shares)
    * (0.1 + 0.9 * greatest(0, 1 - extract(epoch from (${now} - a.minute)) / (${windowMinutes} * 60))))::float8`;
}
