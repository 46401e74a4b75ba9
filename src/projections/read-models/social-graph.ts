import type { EventCodec } from '../../commands/event-codec.ts';
import { type FollowEvent, followEventCatalogue } from '../../domain/social/follow-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Who follows whom and who blocked whom, one row per live edge. Counts are `count(*)` over these
 * rows, never a stored counter: a rebuild gives the same numbers by construction. The reverse
 * indexes serve "followers of", "blocked by" and the home feed's join.
 */
export function socialGraphProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'social_graph',
    version: 1,
    eventTypes: Object.keys(followEventCatalogue),
    tables: {
      social_follows: {
        columns: 'follower_id uuid not null, followee_id uuid not null, followed_at timestamptz not null',
        primaryKey: ['follower_id', 'followee_id'],
        indexes: [
          '(followee_id)',
          '(follower_id, followed_at desc, followee_id desc)',
          '(followee_id, followed_at desc, follower_id desc)',
        ],
      },
      social_blocks: {
        columns: 'blocker_id uuid not null, blocked_id uuid not null, blocked_at timestamptz not null',
        primaryKey: ['blocker_id', 'blocked_id'],
        indexes: ['(blocked_id)', '(blocker_id, blocked_at desc, blocked_id desc)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(followEventCatalogue, recorded);
      if (decoded) applyFollowEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

function applyFollowEvent(event: FollowEvent, writer: ReadModelWriter, at: string): void {
  switch (event.type) {
    case 'UserFollowed': {
      const { followerId, followeeId } = event.data;
      writer.upsert('social_follows', {
        follower_id: followerId,
        followee_id: followeeId,
        followed_at: at,
      });
      return;
    }
    case 'UserUnfollowed': {
      const { followerId, followeeId } = event.data;
      writer.delete('social_follows', { follower_id: followerId, followee_id: followeeId });
      return;
    }
    case 'UserBlocked': {
      const { blockerId, blockedId } = event.data;
      writer.upsert('social_blocks', { blocker_id: blockerId, blocked_id: blockedId, blocked_at: at });
      return;
    }
    case 'UserUnblocked': {
      const { blockerId, blockedId } = event.data;
      writer.delete('social_blocks', { blocker_id: blockerId, blocked_id: blockedId });
      return;
    }
  }
}
