import { z } from 'zod';
import { idempotencyKeyReused } from '../../commands/idempotency.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { CommandResult } from '../../commands/types.ts';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { normaliseMessageText, sameId } from '../../domain/chat/chat-values.ts';
import type { StartedConversation } from '../../domain/chat/conversation-state.ts';
import type { ChatMemberCommand } from '../../domain/chat/member-commands.ts';
import { chatMemberAggregate } from '../../domain/chat/member-decider.ts';
import type { ChatMembershipFacts, ChatMessageCommand } from '../../domain/chat/message-commands.ts';
import { chatMessageAggregate, chatMessageDecider } from '../../domain/chat/message-decider.ts';
import type { ChatMessageEvent } from '../../domain/chat/message-events.ts';
import type { SentMessage } from '../../domain/chat/message-state.ts';
import { chatMemberStream, chatMessageStream, messageTextSubject } from '../../domain/chat/streams.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from '../social/blocks.ts';
import { holdFlaggedText } from '../social/moderation-hold.ts';
import { checkAttachments } from './attachments.ts';
import type { ChatDeps } from './chat-deps.ts';
import { messageFacts, messageVisibleTo } from './chat-facts.ts';
import { chatId, idempotencyKey } from './chat-input.ts';
import { conversationOnRecord, membershipIn } from './conversation-record.ts';

/** Loose: the decider's reasons (MESSAGE_TOO_LONG, EMPTY_MESSAGE) are what a caller usually sees. */
const text = z.string().max(20_000);
/** Loose too (TOO_MANY_ATTACHMENTS is the decider's); this only bounds the lookup. */
const attachmentIds = z.array(chatId).max(50);

export const sendMessageInput = z.object({
  conversationId: chatId,
  text: text.nullish(),
  replyToId: chatId.nullish(),
  attachmentIds: attachmentIds.nullish(),
  idempotencyKey,
});
export const editMessageInput = z.object({ id: chatId, text, idempotencyKey });
export const messageIdInput = z.object({ id: chatId, idempotencyKey });

/**
 * Left out of an idempotency key's fingerprint: the fingerprint is a fast hash salted only by the
 * command id, which is the message's public id, so with the words in it anyone who can read event
 * metadata could confirm a guess at a message's text, even after it was deleted and its key
 * destroyed. A replay compares the words instead (requireSameText), against the stored (encrypted)
 * event, so a retry with other words is still refused.
 */
const TEXT_FIELDS = ['text'] as const;

/**
 * Sends a message. The message id derives from the command id (`sendChatMessage:<conversation>` and
 * the client's idempotency key), so a retried send finds the message it made and appears once.
 * Everything the decider judges is read first: the membership and a block (direct conversations)
 * from the conversation's own stream, the replied message, the attachments from the read models.
 * The decider is asked once without appending, so a message it would refuse is never text-checked
 * nor held; flagged words are held for moderators (their case stored first, which hides the
 * message from everyone but its sender) and then sent, so a crash in between never shows words
 * that should have been held. Holding needs the text check in the deps; without one nothing is held.
 */
export async function sendChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = sendMessageInput.parse(raw);
  const { conversationId } = parsed;
  const senderId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `sendChatMessage:${conversationId}`, parsed, {
    secrets: TEXT_FIELDS,
  });
  const messageId = commandId;
  const stream = chatMessageStream(messageId);
  const existing = await loadAggregate(deps, chatMessageAggregate, stream);
  const conversation = await conversationOnRecord(deps, conversationId);
  const replyTo = parsed.replyToId ? await repliedMessage(deps, parsed.replyToId, senderId) : null;
  const command: ChatMessageCommand = {
    type: 'SendChatMessage',
    messageId,
    conversationId,
    conversationKind: conversation?.kind ?? null,
    membership: membershipIn(conversation, senderId),
    blocked: conversation?.kind === 'direct' && (await blockedInDirect(deps, conversation, senderId)),
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
  const result = await execute(
    deps,
    chatMessageAggregate,
    stream,
    envelope(context, commandId, now, command),
  );
  requireSameText(result, parsed.text ?? '');
  return messageId;
}

/** The sender edits; new words pass the same text check (and may be held) as a new message's. */
export async function editChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = editMessageInput.parse(raw);
  const { id } = parsed;
  const editorId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `editChatMessage:${id}`, parsed, { secrets: TEXT_FIELDS });
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  const command: ChatMessageCommand = {
    type: 'EditChatMessage',
    text: parsed.text,
    membership: (await memberSeeing(deps, loaded.state, editorId)).membership,
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
  const result = await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, now, command),
  );
  requireSameText(result, parsed.text);
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
  const { conversation, membership } = await memberSeeing(deps, loaded.state, actorId);
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'DeleteChatMessage',
      membership,
      // No conversation on record: the decider refuses it, rather than guess what kind it was.
      conversationKind: conversation?.kind ?? null,
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
  const member = membershipIn(await conversationOnRecord(deps, conversationId), userId);
  const seen = (await messageVisibleTo(deps.pool, id, userId)) || (await hiddenForMe(deps, id, userId));
  const command: ChatMemberCommand = {
    type: 'HideChatMessageForMe',
    conversationId,
    membership: member,
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
 * The message's conversation on record, and the actor's membership of it, or null when the message
 * is not theirs to see (not a member, a former one, sent before they joined, hidden from them):
 * the decider answers all of these alike, so nobody learns a message exists by acting on it.
 * Membership and role come from the conversation's stream; only the read model knows where the
 * member's history begins and what is hidden from them, so visibility is read there (a member it
 * has not caught up with yet is refused, never one it still shows after removal).
 */
export async function memberSeeing(
  deps: ChatDeps,
  state: { status: 'none' } | SentMessage,
  userId: string,
): Promise<{ conversation: StartedConversation | null; membership: ChatMembershipFacts | null }> {
  if (state.status === 'none') return { conversation: null, membership: null };
  const conversation = await conversationOnRecord(deps, state.conversationId);
  const member = membershipIn(conversation, userId);
  if (!member || !(await messageVisibleTo(deps.pool, state.messageId, userId))) {
    return { conversation, membership: null };
  }
  return { conversation, membership: member };
}

/** The message replied to, if the sender can see it; where it is and whether it is deleted. */
async function repliedMessage(deps: ChatDeps, replyToId: string, senderId: string) {
  const replied = await messageFacts(deps.pool, replyToId);
  if (replied === null || !(await messageVisibleTo(deps.pool, replyToId, senderId))) return null;
  return { messageId: replyToId, conversationId: replied.conversationId, deleted: replied.deleted };
}

/**
 * Whether the sender and the other person of a direct conversation blocked one another (either
 * way). The other is whoever else is in it, as its stream tells it: a direct conversation is
 * never left, so both are always there.
 */
export async function blockedInDirect(deps: ChatDeps, conversation: StartedConversation, userId: string) {
  for (const member of conversation.members) {
    if (!sameId(member.userId, userId) && (await isBlockedBetween(deps.pool, userId, member.userId)))
      return true;
  }
  return false;
}

/**
 * A replayed send or edit (same key) must carry the words the first run stored: the text is not
 * in the input's fingerprint (TEXT_FIELDS), so it is compared here, as trimmed and stored. Words
 * gone with a deleted message's key cannot be compared; the replay then only names the message.
 */
function requireSameText(result: CommandResult<ChatMessageEvent>, raw: string): void {
  if (!result.replayed) return;
  const normalised = normaliseMessageText(raw);
  const words = 'error' in normalised ? null : normalised.text;
  for (const event of result.events) {
    if (event.type !== 'ChatMessageSent' && event.type !== 'ChatMessageEdited') continue;
    if (event.data.text !== null && event.data.text !== words) throw idempotencyKeyReused();
  }
}

async function hiddenForMe(deps: ChatDeps, messageId: string, userId: string) {
  const { rowCount } = await deps.pool.query(
    'select 1 from chat_hidden_messages where user_id = $1::uuid and message_id = $2::uuid',
    [userId, messageId],
  );
  return (rowCount ?? 0) > 0;
}
