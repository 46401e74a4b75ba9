import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { requireRole } from './community-permission.ts';
import {
  checkText,
  containsLink,
  MAX_BODY_LENGTH,
  MAX_REMOVAL_REASON_LENGTH,
  MAX_REPLY_DEPTH,
  MAX_TITLE_LENGTH,
  sameId,
} from './discussion-values.ts';
import type { CommunityPermission } from './policy.ts';
import type {
  CommunityPostCommand,
  CommunityPostCommandOf,
  PostingMember,
  TrustFacts,
} from './post-commands.ts';
import { type CommunityPostEvent, communityPostEventCatalogue } from './post-events.ts';
import {
  type CommunityPostState,
  evolveCommunityPost,
  initialCommunityPostState,
  type Post,
} from './post-state.ts';
import { ownedByCommunity } from './streams.ts';

type Decision = CommunityPostEvent[];

export const communityPostDecider: Decider<CommunityPostCommand, CommunityPostEvent, CommunityPostState> = {
  initialState: initialCommunityPostState,
  evolve: evolveCommunityPost,
  decide(command, state) {
    if (command.type === 'StartCommunityThread') return startThread(command, state);
    if (command.type === 'ReplyInCommunity') return reply(command, state);
    if (state.status === 'none') throw notFound('POST_NOT_FOUND', 'No such post');
    switch (command.type) {
      case 'EditCommunityPost':
        return edit(command, state);
      case 'DeleteCommunityPost':
        return deleteOwn(command, state);
      case 'RemoveCommunityPost':
        return remove(command, state);
      case 'PinCommunityThread':
        return pin(command, state);
      case 'UnpinCommunityThread':
        return unpin(command, state);
      case 'MarkCommunityPostHelpful':
        return markHelpful(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown community post command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const communityPostAggregate = {
  decider: communityPostDecider,
  catalogue: communityPostEventCatalogue,
  communityOf: ownedByCommunity,
};

/** The permissions table decides (community-permission.ts); the member's role is known here. */
function requirePermission(member: PostingMember, permission: CommunityPermission): void {
  requireRole(member.role, permission);
}

/** Owners and moderators keep their community running whatever their score: the gates spare them. */
const exemptFromTrustGates = (member: PostingMember) =>
  member.role === 'owner' || member.role === 'moderator';

function requireTrust(member: PostingMember, trust: number, minimum: number, gate: string): void {
  if (exemptFromTrustGates(member) || trust >= minimum) return;
  throw forbidden('TRUST_TOO_LOW', `This community asks for a trust of ${minimum} to ${gate}`, {
    minimum,
    gate,
  });
}

/** Words with a link need the community's minimum trust for links. */
function requireLinkTrust(member: PostingMember, trust: TrustFacts, ...texts: (string | null)[]): void {
  if (texts.some((text) => text !== null && containsLink(text))) {
    requireTrust(member, trust.trust, trust.minTrustToPostLinks, 'post links');
  }
}

/**
 * Checked in this order: the words (a bad request reveals nothing), the permission, then the
 * trust gates: starting threads, then links.
 */
function startThread(
  command: CommunityPostCommandOf<'StartCommunityThread'>,
  state: CommunityPostState,
): Decision {
  const title = validTitle(command.title);
  const body = validBody(command.body);
  const { member, trust } = command;
  requirePermission(member, 'discussion.start_thread');
  if (state.status !== 'none') throw conflict('POST_EXISTS', 'This post was already made');
  requireTrust(member, trust.trust, trust.minTrustToStartThreads, 'start threads');
  requireLinkTrust(member, trust, title, body);
  return [
    {
      type: 'CommunityThreadStarted',
      data: {
        communityId: command.communityId,
        postId: command.postId,
        authorId: member.userId,
        title,
        body,
      },
    },
  ];
}

/**
 * A reply answers a post of the same community whose thread and the post itself are still there,
 * at most MAX_REPLY_DEPTH levels down.
 */
function reply(command: CommunityPostCommandOf<'ReplyInCommunity'>, state: CommunityPostState): Decision {
  const body = validBody(command.body);
  const { member, trust, parent, thread } = command;
  requirePermission(member, 'discussion.reply');
  if (state.status !== 'none') throw conflict('POST_EXISTS', 'This post was already made');
  if (parent === null || !sameId(parent.communityId, command.communityId)) {
    throw notFound('POST_NOT_FOUND', 'No such post in this community to reply to');
  }
  if (thread === null || !sameId(thread.postId, parent.threadId)) {
    throw notFound('THREAD_NOT_FOUND', 'No such thread in this community');
  }
  requireStanding(thread, 'THREAD');
  requireStanding(parent, 'POST');
  const depth = parent.depth + 1;
  if (depth > MAX_REPLY_DEPTH) {
    throw validation('TOO_DEEP', `Replies go at most ${MAX_REPLY_DEPTH} levels deep; reply higher up`, {
      maxDepth: MAX_REPLY_DEPTH,
    });
  }
  requireLinkTrust(member, trust, body);
  return [
    {
      type: 'CommunityReplyPosted',
      data: {
        communityId: command.communityId,
        postId: command.postId,
        threadId: thread.postId,
        parentId: parent.postId,
        authorId: member.userId,
        body,
        depth,
      },
    },
  ];
}

/** A deleted or removed post (or thread) takes no replies, edits, pins nor marks. */
function requireStanding(post: Post, what: 'THREAD' | 'POST'): void {
  if (post.status === 'deleted') throw conflict(`${what}_DELETED`, `This ${what.toLowerCase()} was deleted`);
  if (post.status === 'removed') {
    throw conflict(`${what}_REMOVED`, `This ${what.toLowerCase()} was removed by a moderator`);
  }
}

/** Only the author edits; new words pass the link gate like new posts; the same words decide nothing. */
function edit(command: CommunityPostCommandOf<'EditCommunityPost'>, post: Post): Decision {
  const { member, trust } = command;
  if (!sameId(member.userId, post.authorId)) throw forbidden('NOT_AUTHOR', 'Only its author edits a post');
  requireStanding(post, 'POST');
  if (post.kind === 'reply' && command.title !== null) {
    throw validation('REPLY_HAS_NO_TITLE', 'Only a thread has a title');
  }
  const title = post.kind === 'thread' && command.title !== null ? validTitle(command.title) : post.title;
  const body = validBody(command.body);
  if (title === post.title && body === post.body) return [];
  requireLinkTrust(member, trust, title === post.title ? null : title, body === post.body ? null : body);
  return [
    {
      type: 'CommunityPostEdited',
      data: { ...postIds(post), title: post.kind === 'thread' ? title : null, body },
    },
  ];
}

/** The author takes a post down (moderators remove instead); gone already decides nothing. */
function deleteOwn(command: CommunityPostCommandOf<'DeleteCommunityPost'>, post: Post): Decision {
  if (!sameId(command.member.userId, post.authorId)) {
    throw forbidden('NOT_AUTHOR', 'Only its author deletes a post; moderators remove it');
  }
  if (post.status !== 'active') return [];
  return [{ type: 'CommunityPostDeleted', data: postIds(post) }];
}

/**
 * A moderator's removal, with a reason: it counts against the author's trust, so nobody removes
 * their own post (they delete it) and a post the author already deleted cannot be held against them.
 */
function remove(command: CommunityPostCommandOf<'RemoveCommunityPost'>, post: Post): Decision {
  const { member } = command;
  requirePermission(member, 'discussion.remove_post');
  if (sameId(member.userId, post.authorId)) {
    throw forbidden('OWN_POST', 'Delete your own post instead of removing it');
  }
  const reason = checkText(command.reason, MAX_REMOVAL_REASON_LENGTH);
  if ('error' in reason) {
    throw validation(
      reason.error === 'EMPTY' ? 'REASON_REQUIRED' : 'REASON_TOO_LONG',
      `A removal needs a reason of 1 to ${MAX_REMOVAL_REASON_LENGTH} characters`,
      { limit: MAX_REMOVAL_REASON_LENGTH },
    );
  }
  if (post.status === 'removed') return [];
  if (post.status === 'deleted') throw conflict('POST_DELETED', 'Its author already deleted this post');
  return [
    {
      type: 'CommunityPostRemoved',
      data: { ...postIds(post), removedBy: member.userId, reason: reason.text },
    },
  ];
}

function pin(command: CommunityPostCommandOf<'PinCommunityThread'>, post: Post): Decision {
  requireThread(post);
  requirePermission(command.member, 'discussion.pin');
  requireStanding(post, 'THREAD');
  if (post.pinned) return [];
  return [
    {
      type: 'CommunityThreadPinned',
      data: {
        communityId: post.communityId,
        postId: post.postId,
        threadId: post.threadId,
        pinnedBy: command.member.userId,
      },
    },
  ];
}

/** Unpinning what is not pinned (a deleted thread included) decides nothing. */
function unpin(command: CommunityPostCommandOf<'UnpinCommunityThread'>, post: Post): Decision {
  requireThread(post);
  requirePermission(command.member, 'discussion.pin');
  if (!post.pinned) return [];
  return [
    {
      type: 'CommunityThreadUnpinned',
      data: {
        communityId: post.communityId,
        postId: post.postId,
        threadId: post.threadId,
        unpinnedBy: command.member.userId,
      },
    },
  ];
}

/**
 * A reply is marked helpful by mentors and moderators, or by the thread's author whatever their
 * role; never by its own author (it raises their trust). The first mark counts; later ones decide
 * nothing.
 */
function markHelpful(command: CommunityPostCommandOf<'MarkCommunityPostHelpful'>, post: Post): Decision {
  const { member, thread } = command;
  if (post.kind !== 'reply') throw validation('NOT_A_REPLY', 'Only replies are marked helpful');
  if (sameId(member.userId, post.authorId))
    throw forbidden('OWN_POST', 'Nobody marks their own reply helpful');
  if (thread === null || !sameId(thread.postId, post.threadId)) {
    throw notFound('THREAD_NOT_FOUND', 'No such thread in this community');
  }
  if (!sameId(thread.authorId, member.userId)) requirePermission(member, 'discussion.mark_helpful');
  requireStanding(thread, 'THREAD');
  requireStanding(post, 'POST');
  if (post.helpful) return [];
  return [{ type: 'CommunityPostMarkedHelpful', data: { ...postIds(post), markedBy: member.userId } }];
}

function requireThread(post: Post): void {
  if (post.kind !== 'thread') throw validation('NOT_A_THREAD', 'Only a thread is pinned');
}

const postIds = (post: Post) => ({
  communityId: post.communityId,
  postId: post.postId,
  threadId: post.threadId,
  authorId: post.authorId,
});

function validTitle(raw: string): string {
  const checked = checkText(raw, MAX_TITLE_LENGTH);
  if ('error' in checked) {
    throw validation(
      checked.error === 'EMPTY' ? 'TITLE_REQUIRED' : 'TITLE_TOO_LONG',
      `A thread's title has 1 to ${MAX_TITLE_LENGTH} characters`,
      { limit: MAX_TITLE_LENGTH },
    );
  }
  return checked.text;
}

function validBody(raw: string): string {
  const checked = checkText(raw, MAX_BODY_LENGTH);
  if ('error' in checked) {
    throw validation(
      checked.error === 'EMPTY' ? 'BODY_REQUIRED' : 'BODY_TOO_LONG',
      `A post has 1 to ${MAX_BODY_LENGTH} characters`,
      { limit: MAX_BODY_LENGTH },
    );
  }
  return checked.text;
}
