import { z } from 'zod';

/** A learner's message: what fits in one chat turn. */
export const MAX_MESSAGE_LENGTH = 4_000;
/** A stored reply; a longer one is cut (at a word boundary) by the service before it is recorded. */
export const MAX_REPLY_LENGTH = 20_000;
/**
 * A reply pending longer than this counts as abandoned: the API process generating it is gone
 * (a crash leaves no failure behind), so the learner may write again or ask for a retry. Well above
 * a streamed reply's real duration, which the provider's own timeouts bound.
 */
export const REPLY_ABANDONED_AFTER_MS = 2 * 60_000;

/** Trimmed (Unicode NFC), 1..4000 characters. */
export const messageText = z
  .string()
  .transform((raw) => raw.normalize('NFC').trim())
  .pipe(z.string().min(1).max(MAX_MESSAGE_LENGTH));

export const replyText = z.string().min(1).max(MAX_REPLY_LENGTH);

export const failureCode = z.string().regex(/^[A-Z][A-Z_]{1,59}$/);

export interface AiUsageValue {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}
