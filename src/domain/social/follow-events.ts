import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const userId = z.uuid();

/** Why a follow ended: its follower left, or a block between the two ended it. */
export const UNFOLLOW_CAUSES = ['unfollowed', 'blocked'] as const;
export type UnfollowCause = (typeof UNFOLLOW_CAUSES)[number];

/**
 * What happens between two people on the video platform: who follows whom and who blocked whom.
 * One stream holds both directions of one pair (see follow-decider.ts for why).
 */
export const followEventSchemas = {
  UserFollowed: z.object({ followerId: userId, followeeId: userId }),
  UserUnfollowed: z.object({ followerId: userId, followeeId: userId, cause: z.enum(UNFOLLOW_CAUSES) }),
  UserBlocked: z.object({ blockerId: userId, blockedId: userId }),
  UserUnblocked: z.object({ blockerId: userId, blockedId: userId }),
};

type Schemas = typeof followEventSchemas;
export type FollowEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type FollowEventOf<Type extends FollowEvent['type']> = Extract<FollowEvent, { type: Type }>;

/**
 * Ids only: who follows whom is public on a profile. Blocks are private to the blocker, so their
 * fields are listed for the audit but the integrator catalogue does not publish them.
 */
export const followEventCatalogue: EventCatalogue<FollowEvent> = {
  UserFollowed: {
    type: 'UserFollowed',
    schemaVersion: 1,
    schema: followEventSchemas.UserFollowed,
    publicFields: ['followerId', 'followeeId'],
  },
  UserUnfollowed: {
    type: 'UserUnfollowed',
    schemaVersion: 1,
    schema: followEventSchemas.UserUnfollowed,
    publicFields: ['followerId', 'followeeId'],
  },
  UserBlocked: {
    type: 'UserBlocked',
    schemaVersion: 1,
    schema: followEventSchemas.UserBlocked,
  },
  UserUnblocked: {
    type: 'UserUnblocked',
    schemaVersion: 1,
    schema: followEventSchemas.UserUnblocked,
  },
};
