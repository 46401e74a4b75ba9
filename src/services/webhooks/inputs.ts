import { z } from 'zod';
import { positionInput, publicEventTypeInput, streamPrefixInput } from '../../api/events/integrator-input.ts';
import { MAX_TYPES, MAX_URL_LENGTH } from '../../domain/webhooks/webhook-values.ts';

/**
 * The shapes the API accepts for integrator webhooks. Types must be published ones (unknown and
 * unpublished types get the same answer, as on the stream); sizes are held to the limits here so a
 * caller learns them from a VALIDATION error's issues.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const id = z.uuid();
const after = positionInput.transform((value) => value.toString());

export const createEventWebhookInput = z.object({
  input: z.object({
    url: z.string().trim().min(1).max(MAX_URL_LENGTH),
    types: z
      .array(publicEventTypeInput)
      .min(1)
      .max(MAX_TYPES)
      .transform((types) => [...new Set(types)]),
    streamPrefix: streamPrefixInput.nullish(),
    after: after.nullish(),
  }),
  idempotencyKey,
});

export const eventWebhookIdInput = z.object({ id, idempotencyKey });

export const replayEventWebhookInput = z.object({ id, after, idempotencyKey });
