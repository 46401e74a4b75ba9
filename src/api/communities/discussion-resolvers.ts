import type { IResolvers, MercuriusContext, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { communityPersonOf } from '../../domain/communities/community-values.ts';
import type { CommunityRole } from '../../domain/communities/policy.ts';
import { DomainError, notFound } from '../../domain/shared/domain-error.ts';
import {
  deleteCommunityPost,
  editCommunityPost,
  markCommunityPostHelpful,
  type PostOutcome,
  pinCommunityThread,
  removeCommunityPost,
  replyInCommunity,
  startCommunityThread,
  unpinCommunityThread,
} from '../../services/communities/discussions.ts';
import { requireReadPermission } from '../../services/communities/read-access.ts';
import { connection, pageOf } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { toSocialProfile } from '../social/graph-mappers.ts';
import { findProfiles } from '../social/graph-queries.ts';
import { type PostView, toPostView } from './discussion-mappers.ts';
import { findPost, listReplies, listThreads, replyCursor, threadCursor } from './discussion-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: never, args: Args, context: GraphQLContext) => Promise<unknown>;

/** A post view with the reader's role, so nested fields (replies) map removals for the same reader. */
type ReadView = PostView & { readerRole: CommunityRole };

const threadIdArgs = z.object({ id: z.uuid() });

/**
 * Discussions: every read is for a member of the post's community, judged from the read model
 * (`requireReadPermission`); every write goes through the discussion use cases, which judge from
 * the streams. Mutations answer the post as the caller now sees it.
 */
export function discussionResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    communityThread: async (_root, args, { scope }) => {
      const { id } = threadIdArgs.parse(args);
      const readerId = await readerOf(scope);
      const row = await findPost(scope.services.pool, id);
      if (row === null || row.kind !== 'thread') throw threadNotFound();
      const role = await readRole(scope, row.community_id, readerId, threadNotFound);
      return view(row, role);
    },
  };

  const mutation: Record<string, Resolver> = {
    startCommunityThread: async (_root, args, { scope }) =>
      answer(scope, await startCommunityThread(scope.communities, await callerFor(scope, 'write'), args)),
    replyInCommunity: async (_root, args, { scope }) =>
      answer(scope, await replyInCommunity(scope.communities, await callerFor(scope, 'write'), args)),
    editCommunityPost: async (_root, args, { scope }) =>
      answer(scope, await editCommunityPost(scope.communities, await callerFor(scope, 'write'), args)),
    deleteCommunityPost: async (_root, args, { scope }) =>
      answer(scope, await deleteCommunityPost(scope.communities, await callerFor(scope, 'write'), args)),
    removeCommunityPost: async (_root, args, { scope }) =>
      answer(scope, await removeCommunityPost(scope.communities, await callerFor(scope, 'write'), args)),
    pinCommunityThread: async (_root, { threadId }, { scope }) =>
      answer(
        scope,
        await pinCommunityThread(scope.communities, await callerFor(scope, 'write'), { postId: threadId }),
      ),
    unpinCommunityThread: async (_root, { threadId }, { scope }) =>
      answer(
        scope,
        await unpinCommunityThread(scope.communities, await callerFor(scope, 'write'), { postId: threadId }),
      ),
    markCommunityPostHelpful: async (_root, args, { scope }) =>
      answer(scope, await markCommunityPostHelpful(scope.communities, await callerFor(scope, 'write'), args)),
  };

  return {
    Query: query,
    Mutation: mutation,
    Community: {
      threads: async (community: { id: string }, args: Args, { scope }: GraphQLContext) => {
        const readerId = await readerOf(scope);
        const { role } = await requireReadPermission(
          scope.services.pool,
          community.id,
          readerId,
          'community.read',
        );
        const page = pageOf(args, 2);
        const rows = await listThreads(scope.services.pool, community.id, page);
        return connection(rows, page, undefined, threadCursor, (row) => view(row, role));
      },
    },
    CommunityThread: {
      // The thread was checked for this reader by the field that returned it.
      replies: async (thread: ReadView, args: Args, { scope }: GraphQLContext) => {
        const page = pageOf(args, 1);
        const rows = await listReplies(scope.services.pool, thread.communityId, thread.id, page);
        return connection(rows, page, undefined, replyCursor, (row) => view(row, thread.readerRole));
      },
    },
  };
}

type Queries = { obj: PostView }[];

/** A page of posts reads its authors' profiles in one statement. */
export function discussionLoaders(): MercuriusLoaders {
  const author = async (queries: Queries, context: MercuriusContext) => {
    const ids = [...new Set(queries.map(({ obj }) => obj.authorId))];
    const rows = await findProfiles(context.scope.services.pool, ids);
    return queries.map(({ obj }) => {
      const row = rows.get(obj.authorId);
      return row ? toSocialProfile(row) : null;
    });
  };
  return { CommunityThread: { author }, CommunityReply: { author } };
}

const view = (row: Parameters<typeof toPostView>[0], role: CommunityRole): ReadView => ({
  ...toPostView(row, role),
  readerRole: role,
});

const threadNotFound = () => notFound('THREAD_NOT_FOUND', 'No such thread');

/** The person reading: a user, or the owner of an API key acting for them. */
async function readerOf(scope: RequestScope): Promise<string> {
  return communityPersonOf((await callerFor(scope, 'read')).actor).toLowerCase();
}

/**
 * The reader's role in the community of a post they asked for by id: whoever may not learn the
 * community exists is told the post does not, as for a missing one.
 */
async function readRole(
  scope: RequestScope,
  communityId: string,
  readerId: string,
  missing: () => DomainError,
) {
  try {
    return (await requireReadPermission(scope.services.pool, communityId, readerId, 'community.read')).role;
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'COMMUNITY_NOT_FOUND') throw missing();
    throw error;
  }
}

/** The post a mutation made or changed, as its author (or moderator) now sees it. */
async function answer(scope: RequestScope, outcome: PostOutcome): Promise<ReadView> {
  const row = await findPost(scope.services.pool, outcome.postId);
  if (row === null) throw notFound('POST_NOT_FOUND', 'No such post');
  return view(row, outcome.member.role);
}
