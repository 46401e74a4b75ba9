import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, type WebhookRequest } from '../../../src/channels/webhook-channel.ts';
import { verifySignature } from '../../../src/channels/webhook-signature.ts';
import { freePort } from '../../support/ports.ts';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const request = (url: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
  url,
  body: JSON.stringify({ type: 'content.published', contentId: randomUUID() }),
  secret: 'a-channel-signing-secret',
  idempotencyKey: randomUUID(),
  event: 'content.published',
  at: new Date(),
  timeoutMs: 2_000,
  ...overrides,
});

describe('the webhook channel client', () => {
  it('POSTs the body signed, with its idempotency key, and reads an absolute Location', async () => {
    const route = receiver.route();
    const sent = request(route.url);
    const response = await postWebhook(sent);
    const [delivery] = route.deliveries;
    expect(response).toEqual({
      status: 201,
      location: `${receiver.baseUrl}/received/${sent.idempotencyKey}`,
    });
    expect(delivery).toMatchObject({
      body: sent.body,
      idempotencyKey: sent.idempotencyKey,
      event: 'content.published',
    });
    expect(verifySignature(sent.secret, delivery?.signature, sent.body, new Date())).toBe(true);
    expect(verifySignature('another-secret', delivery?.signature, sent.body, new Date())).toBe(false);
  });

  it.each([
    [400, 'WEBHOOK_REJECTED', false],
    [410, 'WEBHOOK_REJECTED', false],
    [408, 'WEBHOOK_FAILED', true],
    [429, 'WEBHOOK_FAILED', true],
    [500, 'WEBHOOK_FAILED', true],
    [503, 'WEBHOOK_FAILED', true],
  ])('classifies %i as %s (retryable: %s)', async (status, code, retryable) => {
    const route = receiver.route(replies.always(status));
    await expect(postWebhook(request(route.url))).rejects.toMatchObject({ code, retryable, status });
  });

  it('gives up on a receiver that does not answer in time (retryable)', async () => {
    const route = receiver.route(() => 'hold');
    const startedAt = Date.now();
    await expect(postWebhook(request(route.url, { timeoutMs: 300 }))).rejects.toMatchObject({
      code: 'WEBHOOK_TIMEOUT',
      retryable: true,
    });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('reports a receiver that cannot be reached (retryable)', async () => {
    const url = `http://127.0.0.1:${await freePort()}/hooks/nobody`;
    await expect(postWebhook(request(url))).rejects.toMatchObject({
      code: 'WEBHOOK_UNREACHABLE',
      retryable: true,
    });
  });

  it('stops when the caller cancels (the activity was cancelled)', async () => {
    const route = receiver.route(() => 'hold');
    const controller = new AbortController();
    const sending = postWebhook(request(route.url, { signal: controller.signal, timeoutMs: 5_000 }));
    await route.waitForDeliveries(1);
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'WEBHOOK_CANCELLED', retryable: false });
  });
});
