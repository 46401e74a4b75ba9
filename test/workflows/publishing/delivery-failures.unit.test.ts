import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { WebhookError, type WebhookErrorCode } from '../../../src/channels/webhook-channel.ts';
import { asActivity } from '../../../src/workflows/publishing/activity-support.ts';
import { deliveryFailureOf, statusIn } from '../../../src/workflows/publishing/delivery-failures.ts';

/** What the delivery activity throws for a WebhookError, read back as the saga and the recorder read it. */
async function recordedFailureOf(error: WebhookError) {
  const thrown = await asActivity(async () => {
    throw error;
  }).catch((failure: unknown) => failure);
  expect(thrown).toBeInstanceOf(ApplicationFailure);
  const failure = thrown as ApplicationFailure;
  return deliveryFailureOf({ type: failure.type, status: statusIn(failure.details) });
}

describe('a failed delivery, as the content records it', () => {
  it.each<[WebhookErrorCode, number | undefined, unknown]>([
    ['WEBHOOK_FAILED', 503, { reason: 'http_status', status: 503 }],
    ['WEBHOOK_REJECTED', 422, { reason: 'http_status', status: 422 }],
    ['WEBHOOK_UNREACHABLE', undefined, { reason: 'unreachable', status: null }],
    ['WEBHOOK_TARGET_NOT_ALLOWED', undefined, { reason: 'target_not_allowed', status: null }],
    ['WEBHOOK_CANCELLED', undefined, { reason: 'cancelled', status: null }],
  ])('%s (status %s) is recorded as %j', async (code, status, expected) => {
    const error = new WebhookError(
      code,
      'Webhook http://10.0.0.5:8080/hook said no',
      status ? { status } : {},
    );
    expect(await recordedFailureOf(error)).toEqual(expected);
  });

  it('keeps nothing of the message, which names the target', async () => {
    const error = new WebhookError('WEBHOOK_FAILED', 'Webhook http://10.0.0.5:8080/hook answered 500', {
      status: 500,
    });
    expect(JSON.stringify(await recordedFailureOf(error))).not.toContain('10.0.0.5');
  });

  it('calls an attempt Temporal ended for taking too long a timeout, and anything unknown other', () => {
    expect(deliveryFailureOf({ timedOut: true })).toEqual({ reason: 'timeout', status: null });
    expect(deliveryFailureOf({ type: 'PUBLICATION_ENDED' })).toEqual({ reason: 'other', status: null });
    expect(deliveryFailureOf({})).toEqual({ reason: 'other', status: null });
    // A status that is not an HTTP status is not passed on as one.
    expect(deliveryFailureOf({ type: 'WEBHOOK_FAILED', status: 'teapot' })).toEqual({
      reason: 'other',
      status: null,
    });
  });
});
