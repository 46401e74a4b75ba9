import { z } from 'zod';

/** Characters (code points, as people count them) of a thread's title after trimming. */
export const MAX_TITLE_LENGTH = 200;
/** Characters of a post's body after trimming: a long answer, not a document. */
export const MAX_BODY_LENGTH = 10_000;
/** Characters of a moderator's reason for removing a post (shown to moderators). */
export const MAX_REMOVAL_REASON_LENGTH = 500;
/**
 * The deepest reply: a thread opener is depth 0, a reply to it depth 1, and so on down to 8. A
 * reply to a depth-8 post is refused (TOO_DEEP) rather than silently moved up: the reply would
 * then answer someone it was not written to; the client says "reply in the thread instead".
 */
export const MAX_REPLY_DEPTH = 8;

export const POST_STATUSES = ['active', 'deleted', 'removed'] as const;
/** `deleted` by its author, `removed` by a moderator with a reason. */
export type PostStatus = (typeof POST_STATUSES)[number];

const codePoints = (text: string) => [...text].length;

/**
 * Stored words: null once decoded after the author's community key is gone (the author forgotten,
 * or the community erased), so stored events still read.
 */
const storedText = (limit: number) =>
  z
    .string()
    .refine((text) => codePoints(text) <= limit, `at most ${limit} characters`)
    .nullable();
export const storedTitle = storedText(MAX_TITLE_LENGTH);
export const storedBody = storedText(MAX_BODY_LENGTH);

export type TextCheck = { text: string } | { error: 'EMPTY' | 'TOO_LONG'; limit: number };

/** Trimmed text within 1..limit characters, or why not; pure so the API and the decider agree. */
export function checkText(raw: string, limit: number): TextCheck {
  const text = raw.trim();
  if (text.length === 0) return { error: 'EMPTY', limit };
  return codePoints(text) > limit ? { error: 'TOO_LONG', limit } : { text };
}

/**
 * Whether words carry a link, for the trust gate on links. Spam links are what the gate stops, so
 * it looks for what a reader could follow or paste: a scheme (`https://`, `ftp://`), `mailto:`,
 * `www.`, a host followed by a path (`bit.ly/x`), or a bare host ending in a common top-level
 * domain (`example.com`). "e.g." and "file.txt" are not links.
 */
const LINK_PATTERNS: readonly RegExp[] = [
  /\b[a-z][a-z0-9+.-]*:\/\/\S/iu,
  /\bmailto:\S/iu,
  /\bwww\.[a-z0-9-]+\.[a-z]/iu,
  /\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\/\S/iu,
  /\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co|dev|app|ly|me|info|biz|xyz|edu|gov|ru|cn|de|uk|fr|in|tk|top|site|online|link|club|gg|tv|to|be)\b/iu,
];

export function containsLink(text: string): boolean {
  return LINK_PATTERNS.some((pattern) => pattern.test(text));
}

/** UUIDs as clients and the database spell them may differ in case only. */
export const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
