import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import type { ChatMemberCommand } from '../../domain/chat/member-commands.ts';
import { chatMemberAggregate } from '../../domain/chat/member-decider.ts';
import type { ChatMembershipFacts, ChatMessageCommand } from '../../domain/chat/message-commands.ts';
import { chatMessageAggregate, chatMessageDecider } from '../../domain/chat/message-decider.ts';
import type { SentMessage } from '../../domain/chat/message-state.ts';
import { chatMemberStream, chatMessageStream, messageTextSubject } from '../../domain/chat/streams.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from '../social/blocks.ts';
import { holdFlaggedText } from '../social/moderation-hold.ts';
import { checkAttachments } from './attachments.ts';
import type { ChatDeps } from './chat-deps.ts';
import { conversationFacts, membership, messageFacts, messageVisibleTo } from './chat-facts.ts';

const idempotencyKey = z.string().min(8).max(128).nullish();
/** Loose: the decider's reasons (MESSAGE_TOO_LONG, EMPTY_MESSAGE) are what a caller usually sees. */
const text = z.string().max(20_000);
/** Loose too (TOO_MANY_ATTACHMENTS is the decider's); this only bounds the lookup. */
const attachmentIds = z.array(z.uuid()).max(50);

export const sendMessageInput = z.object({
  conversationId: z.uuid(),
  text: text.nullish(),
  replyToId: z.uuid().nullish(),
  attachmentIds: attachmentIds.nullish(),
  idempotencyKey,
});
export const editMessageInput = z.object({ id: z.uuid(), text, idempotencyKey });
export const messageIdInput = z.object({ id: z.uuid(), idempotencyKey });

/**
 * Sends a message. The message id derives from the command id (`sendChatMessage:<conversation>` and
 * the client's idempotency key), so a retried send finds the message it made and appears once.
 * Everything the decider judges is read first: the membership and a block (direct conversations)
 * from the read models, the replied message, the attachments from the media read model. The
 * decider is asked once without appending, so a message it would refuse is never text-checked nor
 * held; flagged words are held for moderators (their case stored first, which hides the message
 * from everyone but its sender) and then sent, so a crash in between never shows words that should
 * have been held. Holding needs the text check in the deps; without one nothing is held.
 */
export async function sendChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = sendMessageInput.parse(raw);
  const { conversationId } = parsed;
  const senderId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `sendChatMessage:${conversationId}`, parsed);
  const messageId = commandId;
  const stream = chatMessageStream(messageId);
  const existing = await loadAggregate(deps, chatMessageAggregate, stream);
  const conversation = await conversationFacts(deps.pool, conversationId);
  const member = await membership(deps.pool, conversationId, senderId);
  const replyTo = parsed.replyToId ? await repliedMessage(deps, parsed.replyToId, senderId) : null;
  const command: ChatMessageCommand = {
    type: 'SendChatMessage',
    messageId,
    conversationId,
    conversationKind: conversation?.kind ?? null,
    membership: member && { active: member.active, role: member.role },
    blocked: conversation?.kind === 'direct' && (await blockedInDirect(deps, conversationId, senderId)),
    text: parsed.text ?? '',
    replyToId: parsed.replyToId ?? null,
    replyTo,
    attachments: await checkAttachments(deps.pool, senderId, parsed.attachmentIds ?? []),
  };
  const now = nowFrom(deps);
  // A retry is answered by the pipeline from what the first run stored (or refused as a reused
  // key); only a first run is checked and held.
  if (existing.state.status === 'none') {
    const [sent] = chatMessageDecider.decide(command, existing.state, { actor: context.actor, now });
    const words = sent?.type === 'ChatMessageSent' ? (sent.data.text ?? '') : '';
    if (deps.textModerator && words.length > 0) {
      await holdFlaggedText(
        { ...deps, textModerator: deps.textModerator },
        context,
        commandId,
        { kind: 'message', id: messageId, authorId: senderId, deleted: false },
        words,
      );
    }
  }
  await execute(deps, chatMessageAggregate, stream, envelope(context, commandId, now, command));
  return messageId;
}

/** The sender edits; new words pass the same text check (and may be held) as a new message's. */
export async function editChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = editMessageInput.parse(raw);
  const { id } = parsed;
  const editorId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `editChatMessage:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  const command: ChatMessageCommand = {
    type: 'EditChatMessage',
    text: parsed.text,
    membership: await membershipSeeing(deps, loaded.state, editorId),
  };
  const now = nowFrom(deps);
  const events = chatMessageDecider.decide(command, loaded.state, { actor: context.actor, now });
  const edited = events[0];
  if (deps.textModerator && edited?.type === 'ChatMessageEdited' && edited.data.text) {
    await holdFlaggedText(
      { ...deps, textModerator: deps.textModerator },
      context,
      commandId,
      { kind: 'message', id, authorId: editorId, deleted: false },
      edited.data.text,
    );
  }
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, now, command),
  );
  return id;
}

/**
 * Deletes a message for everyone (its sender, or an owner or admin of a group): the deletion is
 * recorded, then the message's text key is destroyed, so every stored wording (sent and edited)
 * reads as null from then on while the history keeps its events. A retry, or a second deletion,
 * decides nothing new and destroys the key again (idempotent): a crash between the two steps is
 * finished by asking again.
 */
export async function deleteChatMessageForEveryone(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = messageIdInput.parse(raw);
  const { id } = parsed;
  const actorId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `deleteChatMessageForEveryone:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  const conversation =
    loaded.state.status === 'none' ? null : await conversationFacts(deps.pool, loaded.state.conversationId);
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'DeleteChatMessage',
      membership: await membershipSeeing(deps, loaded.state, actorId),
      conversationKind: conversation?.kind ?? 'group',
    } satisfies ChatMessageCommand),
  );
  await deps.personalDataKeys.destroy(messageTextSubject(id));
  deps.log.info({ messageId: id, by: actorId }, 'chat message deleted for everyone; text key destroyed');
  return id;
}

/** Hides a message from the caller's own history; the others still see it. */
export async function deleteChatMessageForMe(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = messageIdInput.parse(raw);
  const { id } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `deleteChatMessageForMe:${id}`, parsed);
  const message = await messageFacts(deps.pool, id);
  // The member's stream is named by the conversation: without a message there is none to name.
  if (message === null) throw notFound('MESSAGE_NOT_FOUND', 'No such message');
  const { conversationId } = message;
  const member = await membership(deps.pool, conversationId, userId);
  const seen = (await messageVisibleTo(deps.pool, id, userId)) || (await hiddenForMe(deps, id, userId));
  const command: ChatMemberCommand = {
    type: 'HideChatMessageForMe',
    conversationId,
    membership: member && { active: member.active, role: member.role },
    messageId: id,
    message: seen ? { messageId: id, conversationId, position: message.position } : null,
  };
  await execute(
    deps,
    chatMemberAggregate,
    chatMemberStream(conversationId, userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  return id;
}

/**
 * The actor's membership of the message's conversation, or null when the message is not theirs to
 * see (not a member, a former one, sent before they joined, hidden from them): the decider answers
 * all of these alike, so nobody learns a message exists by acting on it.
 */
export async function membershipSeeing(
  deps: ChatDeps,
  state: { status: 'none' } | SentMessage,
  userId: string,
): Promise<ChatMembershipFacts | null> {
  if (state.status === 'none') return null;
  const member = await membership(deps.pool, state.conversationId, userId);
  if (!member?.active || !(await messageVisibleTo(deps.pool, state.messageId, userId))) return null;
  return { active: true, role: member.role };
}

/** The message replied to, if the sender can see it; where it is and whether it is deleted. */
async function repliedMessage(deps: ChatDeps, replyToId: string, senderId: string) {
  const replied = await messageFacts(deps.pool, replyToId);
  if (replied === null || !(await messageVisibleTo(deps.pool, replyToId, senderId))) return null;
  return { messageId: replyToId, conversationId: replied.conversationId, deleted: replied.deleted };
}

/**
 * Whether the sender and the other person of a direct conversation blocked one another (either
 * way). The other is whoever else is in it, active or not: a direct conversation is never left.
 */
export async function blockedInDirect(deps: ChatDeps, conversationId: string, userId: string) {
  const { rows } = await deps.pool.query<{ user_id: string }>(
    'select user_id from chat_members where conversation_id = $1::uuid and user_id <> $2::uuid',
    [conversationId, userId],
  );
  for (const row of rows) if (await isBlockedBetween(deps.pool, userId, row.user_id)) return true;
  return false;
}

async function hiddenForMe(deps: ChatDeps, messageId: string, userId: string) {
  const { rowCount } = await deps.pool.query(
    'select 1 from chat_hidden_messages where user_id = $1::uuid and message_id = $2::uuid',
    [userId, messageId],
  );
  return (rowCount ?? 0) > 0;
}
