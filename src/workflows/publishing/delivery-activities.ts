import { postWebhook } from '../../channels/webhook-channel.ts';
import { channelSigningSecret } from '../../channels/webhook-signature.ts';
import { fieldListOf } from '../../domain/content/content-values.ts';
import { STRICT_OUTBOUND_POLICY } from '../../net/outbound-policy.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { asActivity, NOTE_LIMIT, sagaId, withHeartbeat } from './activity-support.ts';
import type { Delivery, DeliveryReceipt, SagaRef, WebhookChannel } from './types.ts';

/** Webhook deliveries: signed with the channel's key, one idempotency key per saga, channel and event. */
export function createDeliveryActivities(deps: PublishingDeps) {
  const log = deps.log.child({ component: 'publishing-activities' });
  return {
    /** One signed POST; Temporal retries it (same idempotency key) per the delivery retry policy. */
    deliverWebhook(
      ref: Pick<SagaRef, 'sagaId' | 'contentId'>,
      channel: WebhookChannel,
      delivery: Delivery,
      timeoutMs: number,
    ): Promise<DeliveryReceipt> {
      return asActivity(() =>
        withHeartbeat(async (signal) => {
          const idempotencyKey = sagaId(ref.sagaId, `webhook:${channel.channelId}:${delivery.type}`);
          const response = await postWebhook({
            url: channel.url,
            body: JSON.stringify(wireBody(delivery)),
            secret: channelSigningSecret(deps.authSecret, channel.channelId),
            idempotencyKey,
            event: delivery.type,
            at: nowFrom(deps),
            timeoutMs,
            signal,
            policy: deps.outbound ?? STRICT_OUTBOUND_POLICY,
          });
          const location =
            response.location && response.location.length <= NOTE_LIMIT ? response.location : channel.url;
          log.info(
            {
              contentId: ref.contentId,
              channelId: channel.channelId,
              event: delivery.type,
              status: response.status,
            },
            'webhook delivered',
          );
          return { status: response.status, location, idempotencyKey };
        }),
      );
    },
  };
}

/**
 * The body as receivers get it: `fields` as a list in the author's order. A saga planned before
 * fields became a list carries them as a record in its history; it is sent as a list all the same.
 */
function wireBody(delivery: Delivery): Delivery {
  return delivery.type === 'content.published'
    ? { ...delivery, fields: fieldListOf(delivery.fields) }
    : delivery;
}
