import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a webhook delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-chronicle-signature';

/**
 * Each webhook channel's signing key, derived from the server's secret and the channel id: nothing
 * secret is ever stored in an event, and brand admins can read the key back from the API at any time.
 */
export function channelSigningSecret(authSecret: Uint8Array, channelId: string): string {
  return createHmac('sha256', authSecret).update(`webhook-channel:${channelId}`).digest('hex');
}

/**
 * An integrator webhook's signing key, derived the same way under its own label, so a webhook and
 * a channel never share a key. The owner reads it back from the API whenever they need it.
 */
export function eventWebhookSigningSecret(authSecret: Uint8Array, webhookId: string): string {
  return createHmac('sha256', authSecret).update(`event-webhook:${webhookId}`).digest('hex');
}

export function signatureHeader(secret: string, body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, body)}`;
}

/**
 * What a receiver does: recompute the MAC over the timestamp and the raw body and refuse stale
 * deliveries (replays) older than `toleranceSeconds`.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=', 2)));
  const timestamp = Number(parts.t);
  const given = typeof parts.v1 === 'string' ? Buffer.from(parts.v1, 'hex') : Buffer.alloc(0);
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds)
    return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
