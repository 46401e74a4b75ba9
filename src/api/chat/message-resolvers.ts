import type { IResolvers, MercuriusContext, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import {
  deleteChatMessageForEveryone,
  deleteChatMessageForMe,
  editChatMessage,
  sendChatMessage,
} from '../../services/chat/messages.ts';
import { reactToChatMessage, removeChatReaction } from '../../services/chat/reactions.ts';
import { deliveryExpiry } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { findMediaAssets } from '../media/read-model-queries.ts';
import { renditionUrl } from '../media/rendition-urls.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { type ChatAttachmentView, type ChatMessageView, toChatMessage } from './message-mappers.ts';
import {
  type ChatMessageRow,
  findMessages,
  historyArgs,
  lastMessages,
  messageHistory,
  reactionsOf,
  receiptsOf,
  requireMembership,
  searchArgs,
  searchMessages,
} from './message-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: never, args: Args, context: GraphQLContext) => Promise<unknown>;

/**
 * Chat messages: every read is for an active member of the conversation (anyone else gets
 * NOT_FOUND CONVERSATION_NOT_FOUND, as for a conversation that does not exist), every write for the
 * person sending, editing or reacting. Mutations answer the message as the caller now sees it.
 */
export function messageResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    chatMessages: async (_root, args, { scope }) => {
      const readerId = await readerOf(scope);
      const { conversationId, ...page } = z.object({ conversationId: z.uuid() }).and(historyArgs).parse(args);
      return history(scope, readerId, conversationId, page);
    },
    searchChatMessages: async (_root, args, { scope }) => {
      const readerId = await readerOf(scope);
      const parsed = searchArgs.parse(args);
      if (parsed.conversationId)
        await requireMembership(scope.services.pool, parsed.conversationId, readerId);
      const { rows, hasNextPage } = await searchMessages(scope.services.pool, readerId, parsed);
      return messageConnection(await messageViews(scope, readerId, rows), {
        hasPreviousPage: parsed.after != null,
        hasNextPage,
      });
    },
  };

  const mutation: Record<string, Resolver> = {
    sendChatMessage: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await sendChatMessage(scope.chat, caller, args);
      return messageView(scope, chatterOf(caller.actor), id);
    },
    editChatMessage: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await editChatMessage(scope.chat, caller, args);
      return messageView(scope, chatterOf(caller.actor), id);
    },
    deleteChatMessageForMe: async (_root, args, { scope }) => {
      await deleteChatMessageForMe(scope.chat, await callerFor(scope, 'write'), args);
      return true;
    },
    deleteChatMessageForEveryone: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await deleteChatMessageForEveryone(scope.chat, caller, args);
      return messageView(scope, chatterOf(caller.actor), id);
    },
    reactToChatMessage: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await reactToChatMessage(scope.chat, caller, args);
      return messageView(scope, chatterOf(caller.actor), id);
    },
    removeChatReaction: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await removeChatReaction(scope.chat, caller, args);
      return messageView(scope, chatterOf(caller.actor), id);
    },
  };

  return {
    Query: query,
    Mutation: mutation,
    ChatConversation: {
      // The conversation was already checked for this reader by the field that returned it.
      messages: async (conversation: { id: string }, args: Args, { scope }: GraphQLContext) =>
        history(scope, await readerOf(scope), conversation.id, historyArgs.parse(args)),
    },
    ChatAttachment: {
      url: (attachment: ChatAttachmentView) => attachment.url?.() ?? null,
      thumbnailUrl: (attachment: ChatAttachmentView) => attachment.thumbnailUrl?.() ?? null,
    },
  };
}

/**
 * Messages as `readerId` sees them now, by id; those they may not see (hidden for them or by
 * moderators, or no longer a member) are absent. One read for a whole batch of live updates
 * (`ChatUpdate.message`, conversation-updates.ts): four queries at most, whatever its size.
 */
export async function chatMessagesFor(
  scope: RequestScope,
  readerId: string,
  messageIds: readonly string[],
): Promise<Map<string, ChatMessageView>> {
  const rows = await findMessages(scope.services.pool, readerId, messageIds);
  return viewsById(scope, readerId, [...rows.values()]);
}

type Queries<Parent> = { obj: Parent }[];

/**
 * A page of conversations reads their last messages, and a page of messages the messages they
 * reply to, in one go each (and only when the query asks for them), mapped with one set of
 * reactions, receipts and assets: never a query per conversation or per message.
 */
export function messageLoaders(): MercuriusLoaders {
  return {
    ChatConversation: {
      lastMessage: async (queries: Queries<{ id: string }>, { scope }: MercuriusContext) => {
        const readerId = await readerOf(scope);
        const ids = [...new Set(queries.map(({ obj }) => obj.id))];
        const rows = await lastMessages(scope.services.pool, readerId, ids);
        const views = await viewsById(scope, readerId, [...rows.values()]);
        return queries.map(({ obj }) => views.get(rows.get(obj.id)?.message_id ?? '') ?? null);
      },
    },
    ChatMessage: {
      replyTo: async (queries: Queries<ChatMessageView>, { scope }: MercuriusContext) => {
        const ids = [...new Set(queries.flatMap(({ obj }) => (obj.replyToId ? [obj.replyToId] : [])))];
        if (ids.length === 0) return queries.map(() => null);
        const readerId = await readerOf(scope);
        const rows = await findMessages(scope.services.pool, readerId, ids);
        const views = await viewsById(scope, readerId, [...rows.values()]);
        return queries.map(({ obj }) => (obj.replyToId ? (views.get(obj.replyToId) ?? null) : null));
      },
    },
  };
}

async function viewsById(scope: RequestScope, readerId: string, rows: readonly ChatMessageRow[]) {
  const views = await messageViews(scope, readerId, rows);
  return new Map(views.map((view) => [view.id, view]));
}

/** The person reading: a user, or the owner of an API key acting for them. */
async function readerOf(scope: RequestScope): Promise<string> {
  return chatterOf((await callerFor(scope, 'read')).actor);
}

async function history(
  scope: RequestScope,
  readerId: string,
  conversationId: string,
  args: z.infer<typeof historyArgs>,
) {
  await requireMembership(scope.services.pool, conversationId, readerId);
  const { rows, ...pageInfo } = await messageHistory(scope.services.pool, readerId, conversationId, args);
  return messageConnection(await messageViews(scope, readerId, rows), pageInfo);
}

/** The message as `readerId` sees it now; NOT_FOUND when they may not (a former member). */
async function messageView(scope: RequestScope, readerId: string, messageId: string) {
  const row = (await findMessages(scope.services.pool, readerId, [messageId])).get(messageId);
  if (!row) throw messageNotFound();
  return (await messageViews(scope, readerId, [row]))[0];
}

/** Maps a page of messages with what it needs in three queries, whatever the page's size. */
async function messageViews(scope: RequestScope, readerId: string, rows: readonly ChatMessageRow[]) {
  const { pool } = scope.services;
  const messageIds = rows.map((row) => row.message_id);
  const conversationIds = [...new Set(rows.map((row) => row.conversation_id))];
  const assetIds = [...new Set(rows.flatMap((row) => row.attachments.map((a) => a.assetId)))];
  const [reactions, receipts, assets] = await Promise.all([
    reactionsOf(pool, readerId, messageIds),
    receiptsOf(pool, conversationIds),
    assetIds.length > 0 ? findMediaAssets(pool, assetIds) : new Map(),
  ]);
  // Signed as `media(id)` signs, so `GET /media/...` serves them to whoever holds the URL: being a
  // member of the conversation is what guards them.
  const { media } = scope;
  const expiresAt = deliveryExpiry(nowFrom(media), media.deliveryUrlTtlMs);
  const facts = {
    reactions,
    receipts,
    assets,
    sign: (asset: Parameters<typeof renditionUrl>[1], rendition: string) =>
      renditionUrl(media, asset, rendition, expiresAt),
  };
  return rows.map((row) => toChatMessage(row, facts));
}

function messageConnection(
  nodes: ChatMessageView[],
  flags: { hasPreviousPage: boolean; hasNextPage: boolean },
) {
  return {
    edges: nodes.map((node) => ({ cursor: node.position, node })),
    nodes,
    pageInfo: {
      ...flags,
      startCursor: nodes[0]?.position ?? null,
      endCursor: nodes.at(-1)?.position ?? null,
    },
  };
}

const messageNotFound = () => notFound('MESSAGE_NOT_FOUND', 'No such message');
