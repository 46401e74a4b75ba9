import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.ts';

/**
 * RFC 6238 TOTP with the parameters every authenticator app supports by default: HMAC-SHA1,
 * 30-second steps, 6 digits.
 */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** 20 bytes = the SHA-1 block-size-friendly length RFC 4226 recommends (160 bits). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** RFC 4226 HOTP over the step counter, with dynamic truncation. */
export function totpCode(secret: string, step: number, digits: number = TOTP_DIGITS): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * Accepts a code from `window` steps either side of now (clock drift, slow typing). Returns the
 * step that matched, so the caller can store it and refuse the same step a second time.
 */
export function matchTotp(secret: string, code: string, now: Date, window = 1): number | null {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return null;
  const given = Buffer.from(code);
  const current = totpStep(now);
  let matched: number | null = null;
  // Every candidate is compared, so timing does not reveal which step (if any) matched.
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const same = timingSafeEqual(Buffer.from(totpCode(secret, step)), given);
    if (same && matched === null) matched = step;
  }
  return matched;
}

/** The `otpauth://` URI authenticator apps read from a QR code (Google Authenticator key-uri format). */
export function otpauthUri({ secret, account, issuer }: { secret: string; account: string; issuer: string }) {
  // encodeURIComponent rather than URLSearchParams: some apps show a `+` for a space literally.
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secret.replace(/=+$/, '')}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_STEP_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
