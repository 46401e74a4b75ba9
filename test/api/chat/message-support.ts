import { expect } from 'vitest';
import { type ChatMessageEvent, chatMessageEventCatalogue } from '../../../src/domain/chat/message-events.ts';
import { chatMessageStream } from '../../../src/domain/chat/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import { localTextModerator } from '../../../src/media/moderation/local-text-rules.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';
import type { TestUser } from '../support/identity-operations.ts';

/** The GraphQL operations the chat message tests use, in one place. */
export const ATTACHMENT_FIELDS = 'assetId kind status url thumbnailUrl';
export const MESSAGE_FIELDS = `id conversationId position senderId text edited deleted sentAt
  replyTo { id text } attachments { ${ATTACHMENT_FIELDS} } reactions { emoji count reactedByMe }
  readByCount readByOther deliveredToOther deliveredToAll`;
export const SEND = `mutation ($conversationId: ID!, $text: String, $replyToId: ID, $attachmentIds: [ID!], $key: String) {
  sendChatMessage(conversationId: $conversationId, text: $text, replyToId: $replyToId,
    attachmentIds: $attachmentIds, idempotencyKey: $key) { ${MESSAGE_FIELDS} } }`;
export const EDIT = `mutation ($id: ID!, $text: String!) { editChatMessage(id: $id, text: $text) { ${MESSAGE_FIELDS} } }`;
export const DELETE_FOR_ME = `mutation ($id: ID!) { deleteChatMessageForMe(id: $id) }`;
export const DELETE_FOR_EVERYONE = `mutation ($id: ID!) { deleteChatMessageForEveryone(id: $id) { ${MESSAGE_FIELDS} } }`;
export const REACT = `mutation ($id: ID!, $emoji: String!) { reactToChatMessage(id: $id, emoji: $emoji) { ${MESSAGE_FIELDS} } }`;
export const UNREACT = `mutation ($id: ID!, $emoji: String!) { removeChatReaction(id: $id, emoji: $emoji) { ${MESSAGE_FIELDS} } }`;
export const HISTORY = `query ($conversationId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  chatMessages(conversationId: $conversationId, first: $first, after: $after, last: $last, before: $before) {
    nodes { ${MESSAGE_FIELDS} } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
export const SEARCH = `query ($query: String!, $conversationId: ID, $first: Int, $after: String) {
  searchChatMessages(query: $query, conversationId: $conversationId, first: $first, after: $after) {
    nodes { id text conversationId } pageInfo { hasNextPage endCursor } } }`;
export const CONVERSATION_MESSAGES = `query ($id: ID!) { chatConversation(id: $id) {
  lastMessage { id text } messages(last: 2) { nodes { id } pageInfo { hasPreviousPage } } } }`;
const CREATE_GROUP = `mutation ($title: String!, $memberIds: [ID!]!) {
  createGroupConversation(title: $title, memberIds: $memberIds) { id } }`;
const START_DIRECT = `mutation ($userId: ID!) { startDirectConversation(userId: $userId) { id } }`;
const ADD_MEMBERS = `mutation ($conversationId: ID!, $userIds: [ID!]!) {
  addConversationMembers(conversationId: $conversationId, userIds: $userIds) { id } }`;
export const MARK_READ = `mutation ($conversationId: ID!, $messageId: ID!) {
  markConversationRead(conversationId: $conversationId, messageId: $messageId) { id } }`;

export interface AttachmentView {
  assetId: string;
  kind: string;
  status: string;
  url: string | null;
  thumbnailUrl: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  position: string;
  senderId: string;
  text: string | null;
  edited: boolean;
  deleted: boolean;
  sentAt: string;
  replyTo: { id: string; text: string | null } | null;
  attachments: AttachmentView[];
  reactions: { emoji: string; count: number; reactedByMe: boolean }[];
  readByCount: number;
  readByOther: boolean;
  deliveredToOther: boolean;
  deliveredToAll: boolean;
}

export interface HistoryView {
  nodes: MessageView[];
  edges: { cursor: string }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export async function groupOf(api: IdentityApp, owner: TestUser, members: TestUser[], title = 'Crew') {
  const response = await api.gql(
    CREATE_GROUP,
    { title, memberIds: members.map((m) => m.id) },
    owner.accessToken,
  );
  return fieldOf<{ id: string }>(response, 'createGroupConversation').id;
}

export async function directOf(api: IdentityApp, from: TestUser, to: TestUser) {
  return fieldOf<{ id: string }>(
    await api.gql(START_DIRECT, { userId: to.id }, from.accessToken),
    'startDirectConversation',
  ).id;
}

export async function addMembers(api: IdentityApp, by: TestUser, conversationId: string, users: TestUser[]) {
  const response = await api.gql(
    ADD_MEMBERS,
    { conversationId, userIds: users.map((u) => u.id) },
    by.accessToken,
  );
  expect(response.errors).toBeUndefined();
}

export async function send(
  api: IdentityApp,
  user: TestUser,
  conversationId: string,
  text: string,
  extra: { replyToId?: string; attachmentIds?: string[]; key?: string } = {},
): Promise<MessageView> {
  return fieldOf<MessageView>(
    await api.gql(SEND, { conversationId, text, ...extra }, user.accessToken),
    'sendChatMessage',
  );
}

export async function historyOf(
  api: IdentityApp,
  user: TestUser,
  conversationId: string,
  page: { first?: number; after?: string; last?: number; before?: string } = {},
): Promise<HistoryView> {
  // A page of 10 unless asked: 20 messages with every field selected exceed the query budget.
  const asked = page.first === undefined && page.last === undefined ? { ...page, last: 10 } : page;
  return fieldOf<HistoryView>(
    await api.gql(HISTORY, { conversationId, ...asked }, user.accessToken),
    'chatMessages',
  );
}

export async function search(
  api: IdentityApp,
  user: TestUser,
  query: string,
  extra: { conversationId?: string; first?: number; after?: string } = {},
) {
  return fieldOf<{
    nodes: { id: string; text: string; conversationId: string }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }>(await api.gql(SEARCH, { query, ...extra }, user.accessToken), 'searchChatMessages');
}

/** The chat use cases' deps, with the local text check (the API wires one only when configured). */
export function chatServiceDeps(api: IdentityApp) {
  const { store, codec, pool, bus, keys } = api.runtime;
  return {
    store,
    codec,
    pool,
    log: createLogger('silent'),
    personalDataKeys: keys,
    textModerator: localTextModerator(),
    settle: async (position: bigint) => {
      await waitForPosition(pool, bus, position, { timeoutMs: 5_000 });
      return true;
    },
  };
}

/** A message's stored events, decoded as a reader of the history would (text null once shredded). */
export async function storedMessageEvents(api: IdentityApp, messageId: string): Promise<ChatMessageEvent[]> {
  const { store, codec } = api.runtime;
  const decoded: ChatMessageEvent[] = [];
  for (const recorded of await store.readStream(chatMessageStream(messageId))) {
    const event = await codec.decode(chatMessageEventCatalogue, recorded);
    if (event) decoded.push(event.event);
  }
  return decoded;
}
