import type { EventCodec } from '../../commands/event-codec.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { type FollowEvent, followEventCatalogue } from '../../domain/social/follow-events.ts';
import { type ProfileEvent, profileEventCatalogue } from '../../domain/social/profile-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * The social graph: who follows whom and who blocked whom (one row per live edge), and each
 * person's username and avatar. Counts are `count(*)` over these rows, never a stored counter: a
 * rebuild gives the same numbers by construction. The reverse indexes serve "followers of",
 * "blocked by" and the home feed's join. A forgotten person keeps their edges (ids only) and loses
 * their username and avatar here as everywhere; a rebuild decodes their username as null anyway.
 */
export function socialGraphProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'social_graph',
    version: 1,
    eventTypes: [
      ...Object.keys(followEventCatalogue),
      ...Object.keys(profileEventCatalogue),
      'UserForgotten',
    ],
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
      social_profiles: {
        columns: `user_id uuid not null, username text, avatar_asset_id uuid, forgotten boolean not null,
          updated_at timestamptz not null`,
        primaryKey: ['user_id'],
        indexes: ['(username)'],
      },
    },
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      if (recorded.type === 'UserForgotten') {
        const decoded = await codec.decode(userEventCatalogue, recorded);
        if (decoded?.event.type === 'UserForgotten') {
          writer.upsert('social_profiles', {
            user_id: decoded.event.data.userId,
            username: null,
            avatar_asset_id: null,
            forgotten: true,
            updated_at: at,
          });
        }
        return;
      }
      if (recorded.type in followEventCatalogue) {
        const decoded = await codec.decode(followEventCatalogue, recorded);
        if (decoded) applyFollowEvent(decoded.event, writer, at);
        return;
      }
      const decoded = await codec.decode(profileEventCatalogue, recorded);
      if (decoded) await applyProfileEvent(decoded.event, writer, at);
    },
  };
}

function applyFollowEvent(event: FollowEvent, writer: ReadModelWriter, at: string): void {
  switch (event.type) {
    case 'UserFollowed': {
      const { followerId, followeeId } = event.data;
      writer.upsert('social_follows', { follower_id: followerId, followee_id: followeeId, followed_at: at });
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

/** A profile row appears with the first change; a forgotten person's row stays empty. */
async function applyProfileEvent(event: ProfileEvent, writer: ReadModelWriter, at: string): Promise<void> {
  const key = { user_id: event.data.userId };
  const current = (await writer.get('social_profiles', key)) ?? {
    ...key,
    username: null,
    avatar_asset_id: null,
    forgotten: false,
  };
  if (current.forgotten === true) return;
  switch (event.type) {
    case 'UsernameChanged':
      writer.upsert('social_profiles', { ...current, username: event.data.username, updated_at: at });
      return;
    case 'ProfileAvatarSet':
      writer.upsert('social_profiles', { ...current, avatar_asset_id: event.data.assetId, updated_at: at });
      return;
    case 'ProfileAvatarRemoved':
      writer.upsert('social_profiles', { ...current, avatar_asset_id: null, updated_at: at });
      return;
  }
}
