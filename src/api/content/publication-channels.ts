import { z } from 'zod';
import { type DeliveryFailure, deliveryFailure } from '../../domain/content/content-values.ts';

/**
 * A publication's channel as the contents read model keeps it. Rows written before version 3 of
 * that projection (still served while it rebuilds) say `published` for `delivered` and have no
 * delivery fields yet: read as a channel delivered at least once, with nothing else known.
 */
const storedChannel = z.object({
  channelId: z.string(),
  kind: z.string(),
  state: z.string().transform((state) => (state === 'published' ? 'delivered' : state)),
  location: z.string().nullable().default(null),
  attempts: z.number().int().min(0).optional(),
  lastError: deliveryFailure.nullable().default(null),
  lastAttemptAt: z.string().nullable().default(null),
});

/** The channels of `Publication.channels` (workflowProgress and Content.workflow). */
export function toPublicationChannels(stored: unknown) {
  return z
    .array(storedChannel)
    .parse(stored)
    .map(({ lastError, attempts, ...channel }) => ({
      ...channel,
      attempts: attempts ?? (channel.state === 'delivered' ? 1 : 0),
      lastError: lastError && describeDeliveryFailure(lastError),
    }));
}

/** In words, as coarse as the failure itself: the kind of failure and an HTTP status, nothing more. */
export function describeDeliveryFailure(failure: DeliveryFailure): string {
  switch (failure.reason) {
    case 'http_status':
      return failure.status
        ? `the receiver answered HTTP ${failure.status}`
        : 'the receiver answered with an error';
    case 'unreachable':
      return 'the receiver could not be reached, or did not answer in time';
    case 'timeout':
      return 'the attempt took too long and was abandoned';
    case 'target_not_allowed':
      return 'the URL leads to an address webhooks may not go to';
    case 'cancelled':
      return 'the attempt was cancelled';
    case 'other':
      return 'the delivery failed';
  }
}
