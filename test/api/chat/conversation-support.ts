import { randomUUID } from 'node:crypto';
import { chatMessageEventCatalogue } from '../../../src/domain/chat/message-events.ts';
import { chatMessageStream } from '../../../src/domain/chat/streams.ts';
import { appendEvents } from '../social/graph-support.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';
import type { TestUser } from '../support/identity-operations.ts';

/** The GraphQL operations the conversation and receipt tests use, in one place. */
export const MEMBER_FIELDS = 'userId role joinedAt user { id displayName }';
export const CONVERSATION_FIELDS = `id kind title avatarUrl myRole memberCount lastActivityAt unreadCount
  myDeliveredUpTo myReadUpTo muted archived pinned members { nodes { ${MEMBER_FIELDS} } pageInfo { hasNextPage endCursor } }`;
export const START_DIRECT = `mutation ($userId: ID!, $key: String) {
  startDirectConversation(userId: $userId, idempotencyKey: $key) { ${CONVERSATION_FIELDS} } }`;
export const CREATE_GROUP = `mutation ($title: String, $memberIds: [ID!]!, $key: String) {
  createGroupConversation(title: $title, memberIds: $memberIds, idempotencyKey: $key) { ${CONVERSATION_FIELDS} } }`;
export const ADD_MEMBERS = `mutation ($conversationId: ID!, $userIds: [ID!]!) {
  addConversationMembers(conversationId: $conversationId, userIds: $userIds) { ${CONVERSATION_FIELDS} } }`;
export const REMOVE_MEMBER = `mutation ($conversationId: ID!, $userId: ID!) {
  removeConversationMember(conversationId: $conversationId, userId: $userId) { ${CONVERSATION_FIELDS} } }`;
export const LEAVE = `mutation ($conversationId: ID!) { leaveConversation(conversationId: $conversationId) }`;
export const CHANGE_ROLE = `mutation ($conversationId: ID!, $userId: ID!, $role: ChatMemberRole!) {
  changeConversationRole(conversationId: $conversationId, userId: $userId, role: $role) { ${CONVERSATION_FIELDS} } }`;
export const UPDATE_DETAILS = `mutation ($conversationId: ID!, $title: String, $avatarAssetId: ID) {
  updateConversationDetails(conversationId: $conversationId, title: $title, avatarAssetId: $avatarAssetId) {
    ${CONVERSATION_FIELDS} } }`;
export const MARK_DELIVERED = `mutation ($conversationId: ID!, $messageId: ID!) {
  markConversationDelivered(conversationId: $conversationId, messageId: $messageId) { ${CONVERSATION_FIELDS} } }`;
export const MARK_READ = `mutation ($conversationId: ID!, $messageId: ID!) {
  markConversationRead(conversationId: $conversationId, messageId: $messageId) { ${CONVERSATION_FIELDS} } }`;
export const SETTINGS = `mutation ($conversationId: ID!, $muted: Boolean!, $archived: Boolean!, $pinned: Boolean!) {
  setConversationSettings(conversationId: $conversationId, muted: $muted, archived: $archived, pinned: $pinned) {
    ${CONVERSATION_FIELDS} } }`;
export const CONVERSATION = `query ($id: ID!) { chatConversation(id: $id) { ${CONVERSATION_FIELDS} } }`;
export const MEMBERS_PAGE = `query ($id: ID!, $first: Int, $after: String) { chatConversation(id: $id) {
  members(first: $first, after: $after) { nodes { userId role } pageInfo { hasNextPage endCursor } } } }`;
export const MY_CONVERSATIONS = `query ($first: Int, $after: String, $archived: Boolean) {
  myChatConversations(first: $first, after: $after, archived: $archived) {
    nodes { id title pinned archived unreadCount } pageInfo { hasNextPage endCursor } } }`;

export interface MemberView {
  userId: string;
  role: string;
  joinedAt: string;
  user: { id: string; displayName: string | null } | null;
}

export interface ConversationView {
  id: string;
  kind: 'DIRECT' | 'GROUP';
  title: string | null;
  avatarUrl: string | null;
  myRole: 'OWNER' | 'ADMIN' | 'MEMBER';
  memberCount: number;
  lastActivityAt: string;
  unreadCount: number;
  myDeliveredUpTo: string | null;
  myReadUpTo: string | null;
  muted: boolean;
  archived: boolean;
  pinned: boolean;
  members: { nodes: MemberView[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export interface ListView {
  nodes: { id: string; title: string | null; pinned: boolean; archived: boolean; unreadCount: number }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export async function createGroup(
  api: IdentityApp,
  owner: TestUser,
  members: readonly TestUser[],
  title: string | null = 'Crew',
): Promise<ConversationView> {
  const response = await api.gql(
    CREATE_GROUP,
    { title, memberIds: members.map((member) => member.id) },
    owner.accessToken,
  );
  return fieldOf<ConversationView>(response, 'createGroupConversation');
}

export async function startDirect(api: IdentityApp, from: TestUser, to: TestUser): Promise<ConversationView> {
  return fieldOf<ConversationView>(
    await api.gql(START_DIRECT, { userId: to.id }, from.accessToken),
    'startDirectConversation',
  );
}

export async function conversationAs(
  api: IdentityApp,
  user: TestUser,
  id: string,
): Promise<ConversationView> {
  return fieldOf<ConversationView>(await api.gql(CONVERSATION, { id }, user.accessToken), 'chatConversation');
}

export async function myConversations(
  api: IdentityApp,
  user: TestUser,
  variables: { first?: number; after?: string | null; archived?: boolean } = {},
): Promise<ListView> {
  return fieldOf<ListView>(
    await api.gql(MY_CONVERSATIONS, variables, user.accessToken),
    'myChatConversations',
  );
}

/**
 * A message as the messages context would store it, appended straight to its stream and seen by
 * the read models: receipts and unread counts are tested without going through sending. Answers
 * with the message's id and its store position (what receipts name).
 */
export async function storedMessage(
  api: IdentityApp,
  conversationId: string,
  senderId: string,
  text = 'hello',
): Promise<{ id: string; position: string }> {
  const messageId = randomUUID();
  const position = await appendEvents(api, chatMessageStream(messageId), chatMessageEventCatalogue, [
    {
      type: 'ChatMessageSent',
      data: { messageId, conversationId, senderId, text, replyToId: null, attachments: [] },
    },
  ]);
  return { id: messageId, position: position.toString() };
}
