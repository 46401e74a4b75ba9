import type pg from 'pg';
import { velocitySql } from './engagement-velocity.ts';

/**
 * The "for you" feed's candidates and their signals, in one statement, as of one instant (`asOf`,
 * carried in the cursor so every page of one scroll scores the same inputs). Candidates come from
 * bounded sources, fanned out on read:
 * - the videos with the most engagement velocity over the last day (trending's measure, over
 *   complete minutes: engagement reaches this feed within a minute, trending at once),
 * - the newest public videos (so fresh uploads and a quiet platform still fill a newcomer's feed),
 * - videos the people the viewer follows liked most recently,
 * - the newest videos of the people the viewer follows, and of second-degree creators (those the
 *   people the viewer follows follow, most followed by them first).
 * Each source is capped, so a page costs the same for someone following ten thousand people as
 * for a newcomer. What is left out for everyone: anything not public, hidden videos, the viewer's
 * own videos, videos the viewer already liked, and every video of someone either side of a block
 * with the viewer.
 */

export const FOR_YOU_LIMITS = {
  /** Trending's window for velocity, in minutes: a day, so a feed opened at quiet hours still ranks. */
  velocityWindowMinutes: 1_440,
  velocityCandidates: 300,
  newestCandidates: 100,
  friendLikeCandidates: 300,
  /** The viewer's follows and the second-degree creators considered, most recent / most followed first. */
  follows: 500,
  secondDegreeCreators: 500,
  videosPerCreator: 3,
};

export interface ForYouCandidateRow {
  post_id: string;
  created_at: Date;
  velocity: number;
  follows_creator: boolean;
  friends_following_creator: number;
  friends_who_liked: number;
}

const L = FOR_YOU_LIMITS;

/** $1 viewer (null when anonymous), $2 asOf. */
const CANDIDATES_SQL = `with
  my_follows as (
    select f.followee_id from social_follows f
     where f.follower_id = $1::uuid and f.followed_at <= $2::timestamptz
     order by f.followed_at desc limit ${L.follows}
  ),
  second_degree as (
    select f.followee_id as creator_id, count(*)::int as via from social_follows f
      join my_follows m on f.follower_id = m.followee_id
     where f.followed_at <= $2::timestamptz and f.followee_id is distinct from $1::uuid
     group by f.followee_id order by via desc, f.followee_id limit ${L.secondDegreeCreators}
  ),
  velocity as (
    select a.video_id, ${velocitySql(String(L.velocityWindowMinutes), '$2::timestamptz')} as velocity
      from social_video_activity a
     where a.minute > $2::timestamptz - make_interval(mins => ${L.velocityWindowMinutes})
       -- Complete minutes only: the minute under way keeps filling after asOf, and counting it
       -- would move scores between the pages of one scroll.
       and a.minute < date_trunc('minute', $2::timestamptz)
     group by a.video_id
  ),
  candidates as (
    (select video_id as post_id from velocity order by velocity desc, video_id limit ${L.velocityCandidates})
    union
    (select post_id from video_posts where visibility = 'public' and created_at <= $2::timestamptz
      order by created_at desc, post_id desc limit ${L.newestCandidates})
    union
    (select l.target_id from social_likes l join my_follows m on l.user_id = m.followee_id
      where l.target_kind = 'video' and l.liked_at <= $2::timestamptz
      order by l.liked_at desc, l.target_id limit ${L.friendLikeCandidates})
    union
    select n.post_id from (select followee_id as creator_id from my_follows
                           union select creator_id from second_degree) c
      cross join lateral (
        select v.post_id from video_posts v
         where v.owner_id = c.creator_id and v.visibility = 'public' and v.created_at <= $2::timestamptz
         order by v.created_at desc, v.post_id desc limit ${L.videosPerCreator}
      ) n
  )
select v.post_id, v.created_at, coalesce(vel.velocity, 0)::float8 as velocity,
       exists (select 1 from my_follows m where m.followee_id = v.owner_id) as follows_creator,
       coalesce(s.via, 0) as friends_following_creator,
       (select count(*)::int from social_likes l join my_follows m on l.user_id = m.followee_id
         where l.target_kind = 'video' and l.target_id = v.post_id and l.liked_at <= $2::timestamptz)
         as friends_who_liked
  from candidates c
  join video_posts v on v.post_id = c.post_id
  left join velocity vel on vel.video_id = v.post_id
  left join second_degree s on s.creator_id = v.owner_id
 where v.visibility = 'public' and v.created_at <= $2::timestamptz
   and v.owner_id is distinct from $1::uuid
   and not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id)
   and not exists (select 1 from social_blocks b
                    where (b.blocker_id = $1::uuid and b.blocked_id = v.owner_id)
                       or (b.blocked_id = $1::uuid and b.blocker_id = v.owner_id))
   and not exists (select 1 from social_likes l
                    where l.target_kind = 'video' and l.target_id = v.post_id and l.user_id = $1::uuid)`;

export async function forYouCandidates(pool: pg.Pool, viewerId: string | null, asOf: Date) {
  const { rows } = await pool.query<ForYouCandidateRow>(CANDIDATES_SQL, [viewerId, asOf]);
  return rows;
}
