import { z } from 'zod';

/** Long enough for a paragraph of feedback; a 5,000-character wall of text is refused. */
export const MAX_COMMENT_LENGTH = 4_000;

/** Trimmed, not empty, at most MAX_COMMENT_LENGTH characters (code points, as people count them). */
export const commentBody = z
  .string()
  .trim()
  .min(1)
  .refine((text) => [...text].length <= MAX_COMMENT_LENGTH, `at most ${MAX_COMMENT_LENGTH} characters`);

/**
 * Threads are stored to any depth (a reply names its parent and its thread's root); reads show two
 * levels and hand out "more replies" cursors below that.
 */
export const SHOWN_DEPTH = 2;

/** What a deleted comment shows instead of its words; its replies stay. */
export const DELETED_COMMENT_TEXT = '[deleted]';

/** At most this many people are notified of one comment: a list of fifty @names is spam, not a mention. */
export const MAX_MENTIONS = 20;

/**
 * `@username` as people type it: the usernames a comment mentions, lower-cased, in order of first
 * appearance. Pure, so the decider and the service agree on what a comment mentions.
 */
export function mentionedUsernames(body: string): string[] {
  const names = [...body.matchAll(/(?<![\p{L}\p{N}_.@])@([a-z0-9_.]{3,30})/giu)].map((match) =>
    (match[1] ?? '').toLowerCase().replace(/\.+$/u, ''),
  );
  return [...new Set(names)].filter((name) => name.length >= 3).slice(0, MAX_MENTIONS);
}
