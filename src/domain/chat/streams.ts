import { uuidv5 } from '../../commands/event-ids.ts';

/** Namespace for the chat context's derived ids (a random v4 UUID, fixed forever). */
export const CHAT_NAMESPACE = '5b0e9f3a-6c2d-4e71-9a84-d31f7c2b6e90';

/** Membership, roles and details of one conversation: decided together, never per message. */
export const chatConversationStream = (conversationId: string) => `chatconv-${conversationId}`;

/** One stream per message, so edits and reactions on one message never wait on another. */
export const chatMessageStream = (messageId: string) => `chatmsg-${messageId}`;

/**
 * One stream per member of a conversation (receipts, settings, hidden-for-me): a member's read
 * marks never contend with anyone else's, and the name is derived so no lookup is needed.
 */
export const chatMemberStream = (conversationId: string, userId: string) =>
  `chatmember-${uuidv5(`${conversationId.toLowerCase()}:${userId.toLowerCase()}`, CHAT_NAMESPACE)}`;

/**
 * The id of the direct conversation between two people: the pair is sorted, so either side finds
 * the same conversation again instead of starting a second one.
 */
export function directConversationId(a: string, b: string): string {
  const [first, second] = [a.toLowerCase(), b.toLowerCase()].sort();
  return uuidv5(`${first}:${second}`, CHAT_NAMESPACE);
}

/**
 * The crypto-shredding subject of a message's words: one key per message, so deleting a message for
 * everyone destroys its key and every stored copy of the text reads as null, history intact.
 */
export const messageTextSubject = (messageId: string) => `chatmessage:${messageId}`;
