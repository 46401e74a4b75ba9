import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { MAX_GROUP_MEMBERS, MEMBER_ROLES, sameId } from '../../domain/chat/chat-values.ts';
import type { ChatConversationCommand } from '../../domain/chat/conversation-commands.ts';
import {
  chatConversationAggregate,
  chatConversationDecider,
} from '../../domain/chat/conversation-decider.ts';
import { chatConversationStream, directConversationId } from '../../domain/chat/streams.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { conflict, forbidden, notFound, validation } from '../../domain/shared/domain-error.ts';
import { users } from '../identity/aggregates.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { blockedAround, isBlockedBetween } from '../social/blocks.ts';
import type { ChatDeps } from './chat-deps.ts';
import { chatId, idempotencyKey } from './chat-input.ts';

/**
 * Loose bounds: the decider's reasons (INVALID_TITLE, GROUP_FULL) are what a caller should see.
 * These only keep an absurd request from being read at all.
 */
const title = z.string().max(10_000);
const userIds = z.array(chatId).max(MAX_GROUP_MEMBERS * 4);
/** The API spells roles in capitals (GraphQL enum values), the domain in lower case. */
const role = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(MEMBER_ROLES));

export const startDirectInput = z.object({ userId: chatId, idempotencyKey });
export const createGroupInput = z.object({ title: title.nullish(), memberIds: userIds, idempotencyKey });
export const addMembersInput = z.object({ conversationId: chatId, userIds, idempotencyKey });
export const memberInput = z.object({ conversationId: chatId, userId: chatId, idempotencyKey });
export const conversationInput = z.object({ conversationId: chatId, idempotencyKey });
export const roleInput = memberInput.extend({ role });
export const detailsInput = z.object({
  conversationId: chatId,
  title: title.nullish(),
  avatarAssetId: chatId.nullish(),
  idempotencyKey,
});

/**
 * The caller's direct conversation with someone: the pair's id is derived (directConversationId),
 * so whoever starts it, and however often, there is one. Answers with its id, new or not. The other
 * person is read from their own stream (a deactivated account cannot be written to), and a block
 * either way refuses it, even when the conversation already exists.
 */
export async function startDirectConversation(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = startDirectInput.parse(raw);
  const starterId = chatterOf(context.actor);
  const conversationId = directConversationId(starterId, parsed.userId);
  const commandId = commandIdFor(context, 'startDirectConversation', parsed);
  const command: ChatConversationCommand = {
    type: 'StartDirectConversation',
    conversationId,
    otherUserId: parsed.userId,
    blocked: await isBlockedBetween(deps.pool, starterId, parsed.userId),
  };
  // Yourself is refused before anyone is looked up.
  if (parsed.userId.toLowerCase() !== starterId.toLowerCase())
    await requireActiveUsers(deps, [parsed.userId]);
  await issue(deps, context, conversationId, commandId, command);
  return conversationId;
}

/**
 * A group the caller owns. Its id derives from the command id, so a retried request (same
 * idempotency key) finds the group it made instead of making a second one. The decider is asked
 * first without storing anything, so a group over the limit or with a bad title is refused before
 * its hundreds of members are looked up.
 */
export async function createGroupConversation(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = createGroupInput.parse(raw);
  const creatorId = chatterOf(context.actor);
  const commandId = commandIdFor(context, 'createGroupConversation', parsed);
  const conversationId = commandId;
  const stream = chatConversationStream(conversationId);
  const { state } = await loadAggregate(deps, chatConversationAggregate, stream);
  const command: ChatConversationCommand = {
    type: 'CreateGroupConversation',
    conversationId,
    title: parsed.title ?? null,
    memberIds: parsed.memberIds,
  };
  // A retry: the pipeline replays the first outcome, or refuses the key reused for other input.
  if (state.status === 'started') {
    await issue(deps, context, conversationId, commandId, command);
    return conversationId;
  }
  chatConversationDecider.decide(command, state, { actor: context.actor, now: nowFrom(deps) });
  const others = parsed.memberIds.filter((id) => id.toLowerCase() !== creatorId.toLowerCase());
  await requireActiveUsers(deps, others);
  await refuseBlocked(deps, creatorId, others);
  await issue(deps, context, conversationId, commandId, command);
  return conversationId;
}

/** Owners and admins add people; each must be an active account. */
export async function addConversationMembers(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = addMembersInput.parse(raw);
  const { conversationId } = parsed;
  const commandId = commandIdFor(context, `addConversationMembers:${conversationId}`, parsed);
  const command: ChatConversationCommand = { type: 'AddConversationMembers', userIds: parsed.userIds };
  const { state } = await loadAggregate(
    deps,
    chatConversationAggregate,
    chatConversationStream(conversationId),
  );
  // Rights and the limit first: a stranger learns nothing of who exists, and 300 ids are not read.
  const decided = chatConversationDecider.decide(command, state, {
    actor: context.actor,
    now: nowFrom(deps),
  });
  const added = decided.flatMap((event) => (event.type === 'ChatMembersAdded' ? event.data.memberIds : []));
  await requireActiveUsers(deps, added);
  await refuseBlocked(deps, chatterOf(context.actor), added);
  await issue(deps, context, conversationId, commandId, command);
  return conversationId;
}

/**
 * A block either way between the caller and anyone they bring into a group refuses it, as it
 * refuses a direct conversation: a group must not be the way round a block to message someone
 * (or see their presence). One query for the whole list. Blocks between other members are theirs
 * to live with: nobody else can see who blocked whom.
 */
async function refuseBlocked(deps: ChatDeps, callerId: string, userIds: readonly string[]): Promise<void> {
  const blocked = await blockedAround(deps.pool, callerId, userIds);
  if (blocked.size > 0) {
    throw forbidden('BLOCKED', 'You cannot add someone you blocked or who blocked you', {
      userIds: [...blocked],
    });
  }
}

export async function removeConversationMember(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = memberInput.parse(raw);
  const { conversationId, userId } = parsed;
  const commandId = commandIdFor(context, `removeConversationMember:${conversationId}`, parsed);
  await issue(deps, context, conversationId, commandId, { type: 'RemoveConversationMember', userId });
  return conversationId;
}

/** Answers with the conversation's id: the caller no longer sees the conversation itself. */
export async function leaveConversation(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = conversationInput.parse(raw);
  const { conversationId } = parsed;
  const commandId = commandIdFor(context, `leaveConversation:${conversationId}`, parsed);
  await issue(deps, context, conversationId, commandId, { type: 'LeaveConversation' });
  return conversationId;
}

export async function changeConversationRole(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = roleInput.parse(raw);
  const { conversationId, userId } = parsed;
  const commandId = commandIdFor(context, `changeConversationRole:${conversationId}`, parsed);
  await issue(deps, context, conversationId, commandId, {
    type: 'ChangeConversationRole',
    userId,
    role: parsed.role,
  });
  return conversationId;
}

/**
 * A group's title and avatar. The avatar is checked only when it changes (a group keeps an avatar
 * set by an admin who later left), and only after the caller is known to be allowed: a stranger
 * learns nothing about an asset id.
 */
export async function updateConversationDetails(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = detailsInput.parse(raw);
  const { conversationId } = parsed;
  const commandId = commandIdFor(context, `updateConversationDetails:${conversationId}`, parsed);
  const stream = chatConversationStream(conversationId);
  const { state } = await loadAggregate(deps, chatConversationAggregate, stream);
  const command: ChatConversationCommand = {
    type: 'UpdateConversationDetails',
    title: parsed.title ?? null,
    avatarAssetId: parsed.avatarAssetId ?? null,
  };
  chatConversationDecider.decide(command, state, { actor: context.actor, now: nowFrom(deps) });
  const avatarAssetId = parsed.avatarAssetId ?? null;
  if (avatarAssetId !== null && (state.status !== 'started' || state.avatarAssetId !== avatarAssetId)) {
    await requireOwnReadyImage(deps, chatterOf(context.actor), avatarAssetId);
  }
  await issue(deps, context, conversationId, commandId, command);
  return conversationId;
}

function issue(
  deps: ChatDeps,
  context: RequestContext,
  conversationId: string,
  commandId: string,
  command: ChatConversationCommand,
) {
  return execute(
    deps,
    chatConversationAggregate,
    chatConversationStream(conversationId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/** How many accounts are read from their streams at once. */
const LOOKUP_CONCURRENCY = 16;

/**
 * Each person named is an active account, as their own stream tells it (the write side's truth,
 * not a read model that may lag): an unknown, deactivated or forgotten one is NOT_FOUND
 * USER_NOT_FOUND, naming the first such id.
 */
async function requireActiveUsers(deps: ChatDeps, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  for (let start = 0; start < unique.length; start += LOOKUP_CONCURRENCY) {
    const batch = unique.slice(start, start + LOOKUP_CONCURRENCY);
    const states = await Promise.all(
      batch.map(async (userId) => (await loadAggregate(deps, users, userStream(userId))).state),
    );
    const missing = batch.find((_, index) => states[index]?.status !== 'active');
    if (missing !== undefined) throw notFound('USER_NOT_FOUND', 'No such user', { userId: missing });
  }
}

/**
 * A group's avatar is an image the caller uploaded that finished processing and that the media
 * check did not reject, as the asset's own stream tells it. Someone else's asset is answered as
 * one that does not exist: telling them apart would let anyone probe which asset ids are real.
 */
async function requireOwnReadyImage(deps: ChatDeps, userId: string, assetId: string): Promise<void> {
  const { state } = await loadAggregate(deps, mediaAggregate, mediaStream(assetId));
  if (state.status === 'none' || state.status === 'deleted' || !sameId(state.ownerId, userId)) {
    throw notFound('MEDIA_NOT_FOUND', 'No such media asset of yours');
  }
  if (state.kind !== 'image') throw validation('NOT_AN_IMAGE', 'An avatar is an image', { kind: state.kind });
  if (state.status !== 'ready') {
    throw conflict('MEDIA_NOT_READY', 'The image has not finished processing', { status: state.status });
  }
  if (state.moderation?.decision === 'rejected') {
    throw validation('MEDIA_REJECTED', 'This image cannot be used');
  }
}
