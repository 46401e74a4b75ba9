import { z } from 'zod';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import type { ChatMemberCommand, MarkedMessage } from '../../domain/chat/member-commands.ts';
import { chatMemberAggregate } from '../../domain/chat/member-decider.ts';
import { chatMemberStream } from '../../domain/chat/streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { ChatDeps } from './chat-deps.ts';
import { messageFacts, messageVisibleTo } from './chat-facts.ts';
import { chatId, idempotencyKey } from './chat-input.ts';
import { conversationOnRecord, membershipIn } from './conversation-record.ts';

export const markInput = z.object({ conversationId: chatId, messageId: chatId, idempotencyKey });
export const settingsInput = z.object({
  conversationId: chatId,
  muted: z.boolean().nullish(),
  archived: z.boolean().nullish(),
  pinned: z.boolean().nullish(),
  idempotencyKey,
});

/**
 * Receipts and settings: each decided on the member's own stream, so one person's read marks never
 * contend with anyone else's. Membership comes from the conversation's own stream (a removed
 * member is refused at once, whatever the read model still shows); the message from the `chat`
 * read model: only it knows where a member's history begins (their joined position), and a receipt
 * is about what the member was shown, which is what that read model shows. Each answers with the
 * conversation's id.
 */
export const markConversationDelivered = (deps: ChatDeps, context: RequestContext, raw: unknown) =>
  mark(deps, context, raw, 'MarkChatDelivered');

/** Reading implies receiving: readers take the delivered mark as at least the read one. */
export const markConversationRead = (deps: ChatDeps, context: RequestContext, raw: unknown) =>
  mark(deps, context, raw, 'MarkChatRead');

async function mark(
  deps: ChatDeps,
  context: RequestContext,
  raw: unknown,
  type: 'MarkChatDelivered' | 'MarkChatRead',
): Promise<string> {
  const parsed = markInput.parse(raw);
  const { conversationId, messageId } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `${type}:${conversationId}`, parsed);
  await issue(deps, context, conversationId, userId, commandId, {
    type,
    conversationId,
    membership: await memberOnRecord(deps, conversationId, userId),
    messageId,
    message: await visibleMessage(deps, messageId, userId),
  });
  return conversationId;
}

/** The caller's own muted, archived and pinned flags for a conversation: those given change, the others stay. */
export async function setConversationSettings(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = settingsInput.parse(raw);
  const { conversationId, muted, archived, pinned } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `setConversationSettings:${conversationId}`, parsed);
  await issue(deps, context, conversationId, userId, commandId, {
    type: 'ChangeChatMemberSettings',
    conversationId,
    membership: await memberOnRecord(deps, conversationId, userId),
    ...(muted == null ? {} : { muted }),
    ...(archived == null ? {} : { archived }),
    ...(pinned == null ? {} : { pinned }),
  });
  return conversationId;
}

function issue(
  deps: ChatDeps,
  context: RequestContext,
  conversationId: string,
  userId: string,
  commandId: string,
  command: ChatMemberCommand,
) {
  return execute(
    deps,
    chatMemberAggregate,
    chatMemberStream(conversationId, userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

const memberOnRecord = async (deps: ChatDeps, conversationId: string, userId: string) =>
  membershipIn(await conversationOnRecord(deps, conversationId), userId);

/**
 * The message as the member may see it (sent since they joined, not hidden for them nor by
 * moderators unless theirs); null otherwise, which the decider answers with MESSAGE_NOT_FOUND.
 */
async function visibleMessage(
  deps: ChatDeps,
  messageId: string,
  userId: string,
): Promise<MarkedMessage | null> {
  const facts = await messageFacts(deps.pool, messageId);
  if (facts === null || !(await messageVisibleTo(deps.pool, messageId, userId))) return null;
  return { messageId, conversationId: facts.conversationId, position: facts.position };
}
