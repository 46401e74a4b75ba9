import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import type { DeliveryFailure } from '../../domain/content/content-values.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { issue, withHeartbeat } from './activity-support.ts';
import { deliveryFailureOf, statusIn } from './delivery-failures.ts';
import type { Delivery, DeliveryReceipt, SagaRef, WebhookChannel } from './types.ts';

type DeliverWebhook = (
  ref: SagaRef,
  channel: WebhookChannel,
  delivery: Delivery,
  timeoutMs: number,
) => Promise<DeliveryReceipt>;

/** How long an attempt waits for its outcome to be recorded before it reports to Temporal anyway. */
const RECORD_WITHIN_MS = 5_000;

/**
 * Every attempt to deliver a publication to a webhook ends in ContentChannelDeliveryAttempted
 * (Temporal numbers the attempts), so the content shows attempts and the last error while the
 * retries go on, not only once they give up. Recording is best effort: the attempt's own outcome is
 * what Temporal retries on, so a store that does not answer within RECORD_WITHIN_MS (or refuses,
 * as when a cancel won the race) is logged and the attempt reports as it would have. The final
 * state is recorded by the saga through its command activities (ContentChannelPublished or
 * ContentChannelFailed), which retry until the store answers. Unpublish deliveries (compensations,
 * unpublishing) are not publication attempts and pass straight through.
 */
export function recordingAttempts(deps: PublishingDeps, deliver: DeliverWebhook): DeliverWebhook {
  const log = deps.log.child({ component: 'publishing-activities' });

  async function record(ref: SagaRef, channelId: string, failure: DeliveryFailure | null): Promise<void> {
    const { attempt } = activityInfo();
    const recorded = issue(deps, ref, `channel:${channelId}:attempt:${attempt}`, {
      type: 'RecordDeliveryAttempt',
      publicationId: ref.publicationId,
      channelId,
      attempt,
      outcome: failure ? 'failed' : 'delivered',
      failure,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const timer = new AbortController();
    const slow = new Promise<'slow'>((resolve) => {
      const handle = setTimeout(() => resolve('slow'), RECORD_WITHIN_MS);
      timer.signal.addEventListener('abort', () => clearTimeout(handle));
    });
    const outcome = await withHeartbeat(() => Promise.race([recorded, slow]));
    timer.abort();
    if (outcome === undefined) return;
    const context = { contentId: ref.contentId, publicationId: ref.publicationId, channelId, attempt };
    if (outcome instanceof DomainError) {
      log.info(
        { ...context, reason: outcome.reason },
        'delivery attempt not recorded: the content refused it',
      );
    } else {
      log.warn(
        { ...context, err: outcome === 'slow' ? undefined : outcome },
        'delivery attempt not recorded',
      );
    }
  }

  return async (ref, channel, delivery, timeoutMs) => {
    if (delivery.type !== 'content.published') return deliver(ref, channel, delivery, timeoutMs);
    let receipt: DeliveryReceipt;
    try {
      receipt = await deliver(ref, channel, delivery, timeoutMs);
    } catch (error) {
      await record(ref, channel.channelId, failureIn(error));
      throw error;
    }
    await record(ref, channel.channelId, null);
    return receipt;
  };
}

/** The delivery activity throws ApplicationFailures (see `asActivity`); anything else is `other`. */
function failureIn(error: unknown): DeliveryFailure {
  return error instanceof ApplicationFailure
    ? deliveryFailureOf({ type: error.type, status: statusIn(error.details) })
    : deliveryFailureOf({});
}
