import { idempotencyKeyReused } from '../../commands/idempotency.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { CommandResult } from '../../commands/types.ts';
import { checkText, MAX_BODY_LENGTH, MAX_TITLE_LENGTH } from '../../domain/communities/discussion-values.ts';
import type { CommunityPermission } from '../../domain/communities/policy.ts';
import type {
  CommunityPostCommand,
  PostingMember,
  TrustFacts,
} from '../../domain/communities/post-commands.ts';
import { communityPostAggregate } from '../../domain/communities/post-decider.ts';
import type { CommunityPostEvent } from '../../domain/communities/post-events.ts';
import type { Post } from '../../domain/communities/post-state.ts';
import { communityPostStream } from '../../domain/communities/streams.ts';
import { DomainError, notFound } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { type CommunityOnRecord, requireCommunityPermission } from './access.ts';
import type { CommunityDeps } from './deps.ts';
import {
  editPostInput,
  idempotencyKey,
  postIdInput,
  removePostInput,
  replyInput,
  startThreadInput,
  WORD_FIELDS,
} from './discussion-inputs.ts';
import { memberTrust } from './trust-lookup.ts';

/** What a discussion use case answers: the post, and the caller as the community knows them. */
export interface PostOutcome {
  postId: string;
  communityId: string;
  member: PostingMember;
}

/**
 * Starts a thread. The post id derives from the command id (`startCommunityThread:<community>`
 * and the client's idempotency key), so a retried start finds the thread it made. Membership and
 * role come from the community's and the member's streams; the trust score from the trust read
 * model, read only when a gate could refuse.
 */
export async function startCommunityThread(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const parsed = startThreadInput.parse(raw);
  const access = await requireCommunityPermission(
    deps,
    parsed.communityId,
    context.actor,
    'discussion.start_thread',
  );
  const member = memberOf(access);
  const commandId = commandIdFor(context, `startCommunityThread:${parsed.communityId}`, parsed, {
    secrets: WORD_FIELDS,
  });
  const command: CommunityPostCommand = {
    type: 'StartCommunityThread',
    communityId: access.community.communityId,
    postId: commandId,
    title: parsed.title,
    body: parsed.body,
    member,
    trust: await trustFacts(deps, access.community, member),
  };
  const result = await run(deps, context, commandId, commandId, command);
  requireSameWords(result, { title: parsed.title, body: parsed.body });
  return outcome(commandId, access);
}

/**
 * Replies to a post (the opener or a reply). The parent and its thread are read from their own
 * streams, so a post removed a moment ago takes no more replies whatever the read model shows.
 */
export async function replyInCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const parsed = replyInput.parse(raw);
  const { post: parent, access } = await postFor(deps, context, parsed.parentId, 'discussion.reply');
  const member = memberOf(access);
  const thread = parent.kind === 'thread' ? parent : await postOnRecord(deps, parent.threadId);
  const commandId = commandIdFor(context, `replyInCommunity:${parsed.parentId}`, parsed, {
    secrets: WORD_FIELDS,
  });
  const command: CommunityPostCommand = {
    type: 'ReplyInCommunity',
    communityId: parent.communityId,
    postId: commandId,
    parent,
    thread,
    body: parsed.body,
    member,
    trust: await trustFacts(deps, access.community, member),
  };
  const result = await run(deps, context, commandId, commandId, command);
  requireSameWords(result, { title: null, body: parsed.body });
  return outcome(commandId, access);
}

/** The author changes the words (a thread's title too); new links pass the same gate as new posts. */
export async function editCommunityPost(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const parsed = editPostInput.parse(raw);
  const { postId } = parsed;
  const { access } = await postFor(deps, context, postId, 'community.read');
  const member = memberOf(access);
  const commandId = commandIdFor(context, `editCommunityPost:${postId}`, parsed, { secrets: WORD_FIELDS });
  const command: CommunityPostCommand = {
    type: 'EditCommunityPost',
    title: parsed.title ?? null,
    body: parsed.body,
    member,
    trust: await trustFacts(deps, access.community, member),
  };
  const result = await run(deps, context, commandId, postId, command);
  requireSameWords(result, { title: parsed.title ?? null, body: parsed.body });
  return outcome(postId, access);
}

/**
 * The author takes their post down: readers see that it was there, not its words. The words stay
 * in the history under the author's key for this community, which erasing the community or
 * forgetting the author destroys (one key per author and community, not per post).
 */
export async function deleteCommunityPost(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { postId } = postIdInput.parse(raw);
  const { access } = await postFor(deps, context, postId, 'community.read');
  await run(deps, context, commandIdFor(context, `deleteCommunityPost:${postId}`), postId, {
    type: 'DeleteCommunityPost',
    member: memberOf(access),
  });
  return outcome(postId, access);
}

/** A moderator removes someone's post with a reason (moderators read it; it counts against trust). */
export async function removeCommunityPost(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { postId, reason } = removePostInput.parse(raw);
  const { access } = await postFor(deps, context, postId, 'discussion.remove_post');
  const result = await run(deps, context, commandIdFor(context, `removeCommunityPost:${postId}`), postId, {
    type: 'RemoveCommunityPost',
    reason,
    member: memberOf(access),
  });
  if (result.events.length > 0) {
    deps.log.info(
      { postId, communityId: access.community.communityId, by: access.userId },
      'community post removed',
    );
  }
  return outcome(postId, access);
}

export async function pinCommunityThread(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  return pinning(deps, context, raw, 'PinCommunityThread');
}

export async function unpinCommunityThread(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  return pinning(deps, context, raw, 'UnpinCommunityThread');
}

async function pinning(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
  type: 'PinCommunityThread' | 'UnpinCommunityThread',
) {
  const { postId } = postIdInput.parse(raw);
  const { access } = await postFor(deps, context, postId, 'discussion.pin');
  await run(deps, context, commandIdFor(context, `${type}:${postId}`), postId, {
    type,
    member: memberOf(access),
  });
  return outcome(postId, access);
}

/** Marks a reply helpful: its thread's opener is read from its stream (its author may mark). */
/** Marking helpful takes an optional idempotency key (sync passes the change id). */
const keyedPostIdInput = postIdInput.extend({ idempotencyKey });

export async function markCommunityPostHelpful(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const input = keyedPostIdInput.parse(raw);
  const { postId } = input;
  const { post, access } = await postFor(deps, context, postId, 'community.read');
  const thread = post.kind === 'thread' ? post : await postOnRecord(deps, post.threadId);
  await run(deps, context, commandIdFor(context, `markCommunityPostHelpful:${postId}`, input), postId, {
    type: 'MarkCommunityPostHelpful',
    member: memberOf(access),
    thread,
  });
  return outcome(postId, access);
}

/** The post as its stream tells it; null when there is none. */
export async function postOnRecord(deps: CommunityDeps, postId: string): Promise<Post | null> {
  const { state } = await loadAggregate(
    deps,
    communityPostAggregate,
    communityPostStream(postId.toLowerCase()),
  );
  return state.status === 'none' ? null : state;
}

/**
 * The post and the actor's right to `permission` in its community. Whoever may not learn the
 * community exists is told the post does not (NOT_FOUND POST_NOT_FOUND), as for a post that does
 * not exist: acting on a post id must not reveal an invite-only community.
 */
async function postFor(
  deps: CommunityDeps,
  context: RequestContext,
  postId: string,
  permission: CommunityPermission,
) {
  const post = await postOnRecord(deps, postId);
  if (post === null) throw postNotFound();
  try {
    const access = await requireCommunityPermission(deps, post.communityId, context.actor, permission);
    return { post, access };
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'COMMUNITY_NOT_FOUND') throw postNotFound();
    throw error;
  }
}

const postNotFound = () => notFound('POST_NOT_FOUND', 'No such post');

type Access = Awaited<ReturnType<typeof requireCommunityPermission>>;

const memberOf = (access: Access): PostingMember => ({ userId: access.userId, role: access.role });

const outcome = (postId: string, access: Access): PostOutcome => ({
  postId,
  communityId: access.community.communityId,
  member: memberOf(access),
});

/**
 * The community's gates and the member's score. The score is read only when a gate could refuse
 * (a minimum above 0, a member who is not exempt); otherwise 0, which the decider never holds
 * against anyone.
 */
async function trustFacts(
  deps: CommunityDeps,
  community: CommunityOnRecord,
  member: PostingMember,
): Promise<TrustFacts> {
  const { minTrustToStartThreads, minTrustToPostLinks } = community;
  const exempt = member.role === 'owner' || member.role === 'moderator';
  const gated = !exempt && (minTrustToStartThreads > 0 || minTrustToPostLinks > 0);
  const trust = gated ? await memberTrust(deps.pool, community.communityId, member.userId) : 0;
  return { trust, minTrustToStartThreads, minTrustToPostLinks };
}

function run(
  deps: CommunityDeps,
  context: RequestContext,
  commandId: string,
  postId: string,
  command: CommunityPostCommand,
): Promise<CommandResult<CommunityPostEvent>> {
  return execute(
    deps,
    communityPostAggregate,
    communityPostStream(postId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/**
 * A replayed start, reply or edit (same key) must carry the words the first run stored: they are
 * not in the input's fingerprint (WORD_FIELDS), so they are compared here, as trimmed and stored.
 * Words gone with the author's key cannot be compared; the replay then only names the post.
 */
function requireSameWords(
  result: CommandResult<CommunityPostEvent>,
  input: { title: string | null; body: string },
): void {
  if (!result.replayed) return;
  const trimmed = (raw: string, limit: number) => {
    const checked = checkText(raw, limit);
    return 'error' in checked ? null : checked.text;
  };
  for (const event of result.events) {
    if (event.type === 'CommunityPostDeleted' || !('body' in event.data)) continue;
    const { body } = event.data;
    if (body !== null && body !== trimmed(input.body, MAX_BODY_LENGTH)) throw idempotencyKeyReused();
    if (event.type === 'CommunityReplyPosted') continue;
    const { title } = event.data;
    if (title !== null && input.title !== null && title !== trimmed(input.title, MAX_TITLE_LENGTH)) {
      throw idempotencyKeyReused();
    }
  }
}
