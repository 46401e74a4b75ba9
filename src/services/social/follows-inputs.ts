import { z } from 'zod';

/** The shape every follow and block mutation takes: the other person, and an optional idempotency key. */
export const otherUserInput = z.object({
  userId: z.uuid(),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});
