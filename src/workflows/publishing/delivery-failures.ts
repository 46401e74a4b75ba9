import type { DeliveryFailure } from '../../domain/content/content-values.ts';

/**
 * What the content records of a failed delivery, from what the delivery activity's failure says:
 * its type (the WebhookError code it was made from, see `asActivity`) and the HTTP status in its
 * details, or that Temporal ended the attempt for taking too long. Coarse on purpose (see
 * DeliveryFailure): the messages, which name the URL and may quote the network, stay in
 * Temporal's history and the logs. Pure: the workflow and the activities both use it.
 */
export function deliveryFailureOf(failure: {
  type?: string | null | undefined;
  status?: unknown;
  timedOut?: boolean;
}): DeliveryFailure {
  if (failure.timedOut) return { reason: 'timeout', status: null };
  switch (failure.type) {
    case 'WEBHOOK_FAILED':
    case 'WEBHOOK_REJECTED':
      return isStatus(failure.status)
        ? { reason: 'http_status', status: failure.status }
        : { reason: 'other', status: null };
    // The webhook client already folds "no answer in time" into this, so failures do not tell
    // which hosts and ports exist behind the URL.
    case 'WEBHOOK_UNREACHABLE':
      return { reason: 'unreachable', status: null };
    case 'WEBHOOK_TARGET_NOT_ALLOWED':
      return { reason: 'target_not_allowed', status: null };
    case 'WEBHOOK_CANCELLED':
      return { reason: 'cancelled', status: null };
    default:
      return { reason: 'other', status: null };
  }
}

/** The status an ApplicationFailure made from a WebhookError carries: `details: [{ status }]`. */
export function statusIn(details: readonly unknown[] | null | undefined): unknown {
  const [first] = details ?? [];
  return typeof first === 'object' && first !== null ? Reflect.get(first, 'status') : undefined;
}

const isStatus = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
