import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a link from an account e-mail is for; a token made for one purpose is refused for the other. */
export type RecoveryPurpose = 'email_verification' | 'password_reset';

export interface RecoveryTokenClaims {
  userId: string;
  requestId: string;
  /** ISO instant, to the millisecond (as the request event records it). */
  expiresAt: string;
}

/**
 * Tokens in verification and reset links: base64url of the user id, the request id, the expiry
 * (ms since the epoch) and an HMAC-SHA256 over the purpose and those three, keyed from AUTH_SECRET.
 * Nothing is stored: the event store keeps the request (id, expiry, whether it was used), the
 * token is made again from it whenever an e-mail is rendered, and only the server can make one.
 * The user id travels in the token so a link finds its account without a lookup table.
 */
const UUID_BYTES = 16;
const EXPIRY_BYTES = 8;
const MAC_BYTES = 32;
const TOKEN_BYTES = 2 * UUID_BYTES + EXPIRY_BYTES + MAC_BYTES;
/** 72 bytes are exactly 96 base64url characters: anything longer or shorter was not made here. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{96}$/;

function tokenKey(authSecret: Uint8Array): Buffer {
  return Buffer.from(
    hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/account-recovery-tokens', 32),
  );
}

const uuidBytes = (uuid: string) => Buffer.from(uuid.replaceAll('-', ''), 'hex');
const uuidText = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

function mac(key: Buffer, purpose: RecoveryPurpose, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${purpose}\n`).update(body).digest();
}

export function issueRecoveryToken(
  authSecret: Uint8Array,
  purpose: RecoveryPurpose,
  claims: RecoveryTokenClaims,
): string {
  const expiry = Buffer.alloc(EXPIRY_BYTES);
  expiry.writeBigUInt64BE(BigInt(Date.parse(claims.expiresAt)));
  const body = Buffer.concat([uuidBytes(claims.userId), uuidBytes(claims.requestId), expiry]);
  if (body.length !== 2 * UUID_BYTES + EXPIRY_BYTES)
    throw new RangeError('userId and requestId must be UUIDs');
  return Buffer.concat([body, mac(tokenKey(authSecret), purpose, body)]).toString('base64url');
}

/**
 * The claims of a token this server made for `purpose`, or null for anything else (malformed,
 * altered, made with another secret or for the other purpose). Expiry is not checked here: an
 * expired link is told apart from a forged one (TOKEN_EXPIRED, not INVALID_TOKEN).
 */
export function readRecoveryToken(
  authSecret: Uint8Array,
  purpose: RecoveryPurpose,
  token: string,
): RecoveryTokenClaims | null {
  if (!TOKEN_SHAPE.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== TOKEN_BYTES) return null;
  const body = bytes.subarray(0, TOKEN_BYTES - MAC_BYTES);
  const presented = bytes.subarray(TOKEN_BYTES - MAC_BYTES);
  if (!timingSafeEqual(presented, mac(tokenKey(authSecret), purpose, body))) return null;
  const expiresAtMs = body.readBigUInt64BE(2 * UUID_BYTES);
  if (expiresAtMs > BigInt(8.64e15)) return null;
  return {
    userId: uuidText(body.subarray(0, UUID_BYTES)),
    requestId: uuidText(body.subarray(UUID_BYTES, 2 * UUID_BYTES)),
    expiresAt: new Date(Number(expiresAtMs)).toISOString(),
  };
}
