import { z } from 'zod';

/** Characters (code points, as people count them) of a message after trimming. */
export const MAX_MESSAGE_LENGTH = 4_000;
/** A group larger than this is a broadcast channel, not a conversation. */
export const MAX_GROUP_MEMBERS = 256;
export const MAX_ATTACHMENTS = 10;
export const MAX_TITLE_LENGTH = 100;
export const MAX_EMOJI_LENGTH = 16;
/** Distinct emoji one member may put on one message: a reaction, not a way to write on it. */
export const MAX_REACTIONS_PER_MEMBER = 3;
/** Distinct emoji on one message, whoever put them there: bounds the message's reaction list. */
export const MAX_EMOJI_PER_MESSAGE = 50;

export const CONVERSATION_KINDS = ['direct', 'group'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export const MEMBER_ROLES = ['owner', 'admin', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** `voice` is an `audio` media asset: a recorded voice note. */
export const ATTACHMENT_KINDS = ['image', 'video', 'voice', 'file'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** What `changedBy` says when ownership passed on because the owner left or was removed. */
export const HANDOVER = 'handover';

const codePoints = (text: string) => [...text].length;

/**
 * A message's words as stored: at most MAX_MESSAGE_LENGTH characters ('' when the message is only
 * attachments). Null once its key is destroyed (deleted for everyone), so stored events still read.
 */
export const storedMessageText = z
  .string()
  .refine((text) => codePoints(text) <= MAX_MESSAGE_LENGTH, `at most ${MAX_MESSAGE_LENGTH} characters`)
  .nullable();

/** A group's title: trimmed, 1..MAX_TITLE_LENGTH characters. */
export const chatTitle = z
  .string()
  .trim()
  .min(1)
  .refine((text) => codePoints(text) <= MAX_TITLE_LENGTH, `at most ${MAX_TITLE_LENGTH} characters`);

/**
 * A reaction: 1..MAX_EMOJI_LENGTH characters without whitespace (an emoji with its modifiers,
 * joiners and skin tones), at least one of them a pictograph and none a letter or a digit, so a
 * reaction cannot carry words ("lol", a phone number) to every member beside the message.
 */
export const reactionEmoji = z
  .string()
  .min(1)
  .refine(
    (emoji) =>
      codePoints(emoji) <= MAX_EMOJI_LENGTH &&
      !/[\s\p{L}\p{N}]/u.test(emoji) &&
      /[\p{Extended_Pictographic}\p{Emoji_Presentation}]/u.test(emoji),
    'one emoji: no letters, digits or whitespace',
  );

/** A global store position, as decimal digits (bigint-safe across the API). */
export const storePosition = z.string().regex(/^\d+$/u, 'decimal digits');

/** Positions compare as numbers, not strings ('9' < '10'). */
export const comparePositions = (a: string, b: string): number => {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
};

export const chatAttachment = z.object({ assetId: z.uuid(), kind: z.enum(ATTACHMENT_KINDS) });
export type ChatAttachment = z.infer<typeof chatAttachment>;

/** Trimmed text within the limit, or the reason it is refused; pure so the API can pre-check. */
export function normaliseMessageText(text: string): { text: string } | { error: 'MESSAGE_TOO_LONG' } {
  const trimmed = text.trim();
  return codePoints(trimmed) > MAX_MESSAGE_LENGTH ? { error: 'MESSAGE_TOO_LONG' } : { text: trimmed };
}

export const isValidTitle = (title: string) => chatTitle.safeParse(title).success;
export const isValidEmoji = (emoji: string) => reactionEmoji.safeParse(emoji).success;

/** UUIDs as clients and the database spell them may differ in case only. */
export const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Each id once, however it is spelled (the first spelling kept, in order): the read model's uuid
 * columns fold case, so two spellings of one person are one row and must be one member.
 */
export function distinctIds(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
