import type pg from 'pg';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { userStream } from '../../domain/identity/streams.ts';
import type { FollowCommand, SocialUserFacts } from '../../domain/social/follow-commands.ts';
import { followAggregate, socialPersonOf } from '../../domain/social/follow-decider.ts';
import { users } from '../identity/aggregates.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import { otherUserInput } from './follows-inputs.ts';
import { followTieStream } from './follows-streams.ts';

/** What the social graph use cases need: the command pipeline (its `settle` waits for `social_graph`) and the read side. */
export type SocialGraphDeps = ServiceDeps & { pool: pg.Pool };

type Operation = 'followUser' | 'unfollowUser' | 'blockUser' | 'unblockUser';

/**
 * Follow, unfollow, block and unblock: each decided on the tie between the caller and the other
 * person (see follow-decider.ts). Following and blocking first read the other person's own stream
 * (the write side's truth, not a read model that may lag), so a deleted account cannot be
 * followed even a moment after it went. Each answers with the other person's id.
 */
export const followUser = (deps: SocialGraphDeps, context: RequestContext, raw: unknown) =>
  tie(deps, context, raw, 'followUser', async (userId, personId) => ({
    type: 'Follow',
    followeeId: userId,
    followee: await userFacts(deps, userId),
    followingCount: await followingCount(deps, personId),
  }));

export const unfollowUser = (deps: SocialGraphDeps, context: RequestContext, raw: unknown) =>
  tie(deps, context, raw, 'unfollowUser', async (userId) => ({ type: 'Unfollow', followeeId: userId }));

export const blockUser = (deps: SocialGraphDeps, context: RequestContext, raw: unknown) =>
  tie(deps, context, raw, 'blockUser', async (userId) => ({
    type: 'Block',
    blockedId: userId,
    blocked: await userFacts(deps, userId),
  }));

export const unblockUser = (deps: SocialGraphDeps, context: RequestContext, raw: unknown) =>
  tie(deps, context, raw, 'unblockUser', async (userId) => ({ type: 'Unblock', blockedId: userId }));

async function tie(
  deps: SocialGraphDeps,
  context: RequestContext,
  raw: unknown,
  operation: Operation,
  command: (userId: string, personId: string) => Promise<FollowCommand>,
): Promise<string> {
  const parsed = otherUserInput.parse(raw);
  const { userId } = parsed;
  // Refuses processes and anonymous callers before anything is read.
  const personId = socialPersonOf(context.actor);
  const commandId = commandIdFor(context, `${operation}:${userId}`, parsed);
  await execute(
    deps,
    followAggregate,
    followTieStream(personId, userId),
    envelope(context, commandId, nowFrom(deps), await command(userId, personId)),
  );
  return userId;
}

async function followingCount(deps: SocialGraphDeps, personId: string): Promise<number> {
  const { rows } = await deps.pool.query<{ n: number }>(
    'select count(*)::int as n from social_follows where follower_id = $1::uuid',
    [personId],
  );
  return rows[0]?.n ?? 0;
}

/** The person as their own stream tells it; null when there is no such user. */
export async function userFacts(deps: ServiceDeps, userId: string): Promise<SocialUserFacts | null> {
  const { state } = await loadAggregate(deps, users, userStream(userId));
  if (state.status === 'unregistered') return null;
  return { userId: state.userId, status: state.status };
}
