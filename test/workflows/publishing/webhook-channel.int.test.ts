import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, type WebhookRequest } from '../../../src/channels/webhook-channel.ts';
import { verifySignature } from '../../../src/channels/webhook-signature.ts';
import { outboundPolicy, STRICT_OUTBOUND_POLICY } from '../../../src/net/outbound-policy.ts';
import { freePort } from '../../support/ports.ts';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

/** The receiver listens on 127.0.0.1: allowed here as OUTBOUND_ALLOW_INTERNAL=127.0.0.1 would. */
const LOOPBACK_ALLOWED = outboundPolicy(['127.0.0.1']);

let receiver: WebhookReceiver;
/** Answers every request with a redirect to wherever `redirectTo` says, and counts them. */
let redirector: Server;
let redirectTo = '';
let redirected = 0;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  redirector = createServer((request, response) => {
    redirected++;
    request.resume();
    response
      .writeHead(302, { location: redirectTo, 'x-internal-secret': 'do-not-echo' })
      .end('internal body');
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await receiver?.close();
  await new Promise((resolve) => redirector?.close(resolve));
});

const request = (url: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest => ({
  url,
  body: JSON.stringify({ type: 'content.published', contentId: randomUUID() }),
  secret: 'a-channel-signing-secret',
  idempotencyKey: randomUUID(),
  event: 'content.published',
  at: new Date(),
  timeoutMs: 2_000,
  policy: LOOPBACK_ALLOWED,
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

  it('gives up on a receiver that does not answer in time, and says no more than "unreachable" (retryable)', async () => {
    const route = receiver.route(() => 'hold');
    const startedAt = Date.now();
    const sending = postWebhook(request(route.url, { timeoutMs: 300 }));
    await expect(sending).rejects.toMatchObject({
      code: 'WEBHOOK_UNREACHABLE',
      retryable: true,
      message: `Webhook ${route.url} could not be reached or did not answer within 300 ms`,
    });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('reports a closed port exactly as it reports silence, so ports cannot be told apart (retryable)', async () => {
    const url = `http://127.0.0.1:${await freePort()}/hooks/nobody`;
    const failure = await postWebhook(request(url, { timeoutMs: 300 })).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'WEBHOOK_UNREACHABLE',
      retryable: true,
      message: `Webhook ${url} could not be reached or did not answer within 300 ms`,
    });
    expect(String((failure as Error).message)).not.toMatch(/ECONNREFUSED|refused|reset/i);
  });

  it.each([
    ['loopback', (port: number) => `http://127.0.0.1:${port}/hooks/x`],
    ['loopback, spelt as one number', (port: number) => `http://2130706433:${port}/hooks/x`],
    ['loopback, IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hooks/x`],
    ['loopback, by the name localhost', (port: number) => `http://localhost:${port}/hooks/x`],
    ['the metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', () => 'http://10.0.0.1/hooks/x'],
  ])(
    'refuses to deliver to %s without an allow-list, and sends nothing (not retryable)',
    async (_what, urlFor) => {
      const route = receiver.route();
      const port = Number(new URL(route.url).port);
      const url = urlFor(port).replace('/hooks/x', new URL(route.url).pathname);
      await expect(postWebhook(request(url, { policy: STRICT_OUTBOUND_POLICY }))).rejects.toMatchObject({
        code: 'WEBHOOK_TARGET_NOT_ALLOWED',
        retryable: false,
        message: `Webhook ${url} is not allowed: webhooks are not delivered to internal addresses`,
      });
      expect(route.deliveries).toEqual([]);
    },
  );

  it('checks every address a host name resolves to at delivery, even when the URL itself passes', async () => {
    const route = receiver.route();
    const url = route.url.replace('127.0.0.1', 'localhost');
    // Only the resolved-address check stands here: the URL check is switched off, as for a name
    // that pointed at a public address when it was configured and at loopback now (rebinding).
    const resolvedOnly = { ...STRICT_OUTBOUND_POLICY, urlRefusal: () => null };
    await expect(postWebhook(request(url, { policy: resolvedOnly }))).rejects.toMatchObject({
      code: 'WEBHOOK_TARGET_NOT_ALLOWED',
      retryable: false,
    });
    expect(route.deliveries).toEqual([]);
    // Allowed by name, the same URL is delivered to the address the name resolved to.
    await expect(postWebhook(request(url, { policy: outboundPolicy(['localhost']) }))).resolves.toMatchObject(
      {
        status: 201,
      },
    );
    expect(route.deliveries).toHaveLength(1);
  });

  it('does not follow a redirect, and passes on nothing the target said but its status', async () => {
    const route = receiver.route();
    redirectTo = route.url;
    const before = redirected;
    const { port } = redirector.address() as AddressInfo;
    const failure = await postWebhook(request(`http://127.0.0.1:${port}/hook`)).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: 'WEBHOOK_REJECTED',
      retryable: false,
      status: 302,
      message: `Webhook http://127.0.0.1:${port}/hook refused the delivery with 302 (redirects are not followed)`,
    });
    expect(JSON.stringify(failure)).not.toContain(route.url);
    expect(String((failure as Error).message)).not.toMatch(/do-not-echo|internal body|hooks/);
    expect(redirected).toBe(before + 1);
    expect(route.deliveries).toEqual([]);
  });

  it('does not follow a redirect to the metadata service either', async () => {
    redirectTo = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
    const { port } = redirector.address() as AddressInfo;
    await expect(postWebhook(request(`http://127.0.0.1:${port}/hook`))).rejects.toMatchObject({
      code: 'WEBHOOK_REJECTED',
      status: 302,
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
