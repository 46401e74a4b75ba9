import { z } from 'zod';

/** The shapes the API accepts for match requests and offers; the decider checks the rest. */
const idempotencyKey = z.string().min(8).max(128).nullish();

export const requestMatchInput = z.object({
  input: z.object({ subject: z.string().max(200), note: z.string().max(5_000).nullish() }),
  idempotencyKey,
});

export const answerOfferInput = z.object({
  requestId: z.uuid(),
  offerNumber: z.number().int().min(1),
  idempotencyKey,
});

export const declineOfferInput = answerOfferInput.extend({ reason: z.string().max(2_000).nullish() });

export const matchRequestIdInput = z.object({ requestId: z.uuid(), idempotencyKey });
