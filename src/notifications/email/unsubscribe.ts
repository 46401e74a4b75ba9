import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isNotificationType, type NotificationType } from '../../domain/notifications/notification-types.ts';

/**
 * Unsubscribe links: a token naming a person and a notification type, MACed (HMAC-SHA256, a key
 * derived from AUTH_SECRET for this purpose alone) so nobody can switch off someone else's e-mail.
 * It never expires — an e-mail read a year later must still unsubscribe — and carries nothing
 * secret: the user id and type are readable, only the MAC is unforgeable. Rotating AUTH_SECRET
 * voids the links in e-mails already sent (the page then says the link is not valid).
 */
const MAC_BYTES = 16;
const UUID_BYTES = 16;

export interface UnsubscribeSubject {
  userId: string;
  type: NotificationType;
}

export function unsubscribeToken(secret: Uint8Array, userId: string, type: NotificationType): string {
  const payload = Buffer.concat([uuidBytes(userId), Buffer.from(type, 'utf8')]);
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/** The person and type a token names, or null when it is malformed, forged or names no type. */
export function verifyUnsubscribeToken(secret: Uint8Array, token: string): UnsubscribeSubject | null {
  const match = /^([A-Za-z0-9_-]{22,200})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match?.[1] || !match[2]) return null;
  const payload = Buffer.from(match[1], 'base64url');
  const given = Buffer.from(match[2], 'base64url');
  if (payload.length <= UUID_BYTES || given.length !== MAC_BYTES) return null;
  if (!timingSafeEqual(given, mac(secret, payload))) return null;
  const type = payload.subarray(UUID_BYTES).toString('utf8');
  if (!isNotificationType(type)) return null;
  return { userId: uuidText(payload.subarray(0, UUID_BYTES)), type };
}

/** `PUBLIC_URL/notifications/unsubscribe?token=…`, the link in the e-mail and its List-Unsubscribe header. */
export function unsubscribeUrl(
  publicUrl: string,
  secret: Uint8Array,
  userId: string,
  type: NotificationType,
): string {
  // Relative to the base, so a PUBLIC_URL with a path (https://example.org/chronicle) keeps it.
  const url = new URL('notifications/unsubscribe', withTrailingSlash(publicUrl));
  url.searchParams.set('token', unsubscribeToken(secret, userId, type));
  return url.toString();
}

function withTrailingSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

function mac(secret: Uint8Array, payload: Buffer): Buffer {
  return createHmac('sha256', unsubscribeKey(secret)).update(payload).digest().subarray(0, MAC_BYTES);
}

const keys = new WeakMap<Uint8Array, Buffer>();

function unsubscribeKey(secret: Uint8Array): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'chronicle/email-unsubscribe', 32));
    keys.set(secret, key);
  }
  return key;
}

function uuidBytes(id: string): Buffer {
  const hex = id.toLowerCase().replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a UUID: ${id}`);
  return Buffer.from(hex, 'hex');
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
