import { z } from 'zod';

/**
 * An id as every discussion use case takes it: a UUID, lower-cased (streams and deciders compare
 * text, the read model's uuid columns fold case: one spelling everywhere).
 */
export const postId = z.uuid().transform((id) => id.toLowerCase());

export const idempotencyKey = z.string().min(8).max(128).nullish();

/** Loose: the decider's reasons (BODY_TOO_LONG, TITLE_REQUIRED…) are what a caller usually sees. */
const words = z.string().max(50_000);

export const startThreadInput = z.object({ communityId: postId, title: words, body: words, idempotencyKey });
export const replyInput = z.object({ parentId: postId, body: words, idempotencyKey });
export const editPostInput = z.object({ postId, title: words.nullish(), body: words, idempotencyKey });
export const postIdInput = z.object({ postId });
export const removePostInput = z.object({ postId, reason: z.string().max(5_000) });

/**
 * Left out of an idempotency key's fingerprint: the fingerprint is a fast hash salted only by the
 * command id, which is the post's public id, so with the words in it anyone who can read event
 * metadata could confirm a guess at a post's words after it was deleted. A replay compares the
 * words instead, against the stored (encrypted) event.
 */
export const WORD_FIELDS = ['title', 'body'] as const;
