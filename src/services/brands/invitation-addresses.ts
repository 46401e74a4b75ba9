import { createHmac, hkdfSync } from 'node:crypto';
import { normalizeEmail } from '../../domain/identity/streams.ts';

/**
 * How an invitation names the address it is for without storing it: an HMAC-SHA256 of the
 * normalised address (trimmed, lower-cased, as accounts store it) under a key derived from the
 * server's secret (`AUTH_SECRET`). Unlike a plain hash, nobody holding only the events (an export,
 * a backup) can test guessed addresses against it. The key depends on the secret: after the
 * secret changes, pending invitations no longer match anyone and must be sent again.
 */
export type InvitationAddressKey = Buffer;

export function invitationAddressKey(authSecret: Uint8Array): InvitationAddressKey {
  return Buffer.from(hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/brand-invitation-email', 32));
}

export function invitationEmailHash(key: InvitationAddressKey, email: string): string {
  return createHmac('sha256', key).update(normalizeEmail(email)).digest('hex');
}

/**
 * The address masked for the brand's admins to recognise: the first character of the local part
 * and the domain (`a•••@example.org`).
 */
export function invitationEmailHint(email: string): string {
  const normalised = normalizeEmail(email);
  const at = normalised.lastIndexOf('@');
  const local = normalised.slice(0, at);
  const domain = normalised.slice(at + 1);
  return `${[...local][0] ?? ''}•••@${domain}`;
}
