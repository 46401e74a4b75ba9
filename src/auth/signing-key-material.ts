import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { z } from 'zod';

/**
 * The key material of access-token signing keys: Ed25519 pairs (`alg: EdDSA`), their kid, and
 * the sealing of private keys for the database. Ed25519 because its signatures are deterministic
 * (no nonce to get wrong), small and fast, and any integrator's node:crypto, Go, Java 15+ or
 * libsodium verifies them.
 */

export const SIGNING_ALGORITHM = 'EdDSA';

export const publicJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type PublicJwk = z.infer<typeof publicJwkSchema>;

/** What a kid looks like (a SHA-256 thumbprint, base64url): anything else is refused unread. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A key as the database holds it. */
export interface SealedSigningKey {
  kid: string;
  publicJwk: PublicJwk;
  sealedPrivateKey: Buffer;
}

export interface OpenedSigningKey {
  kid: string;
  publicJwk: PublicJwk;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, no whitespace. */
export function keyIdOf(jwk: PublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function publicJwkOf(publicKey: KeyObject): PublicJwk {
  return publicJwkSchema.parse(publicKey.export({ format: 'jwk' }));
}

/** A new pair, its private half sealed under AUTH_SECRET. */
export function generateSigningKey(authSecret: Uint8Array): SealedSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicJwkOf(publicKey);
  const kid = keyIdOf(publicJwk);
  return { kid, publicJwk, sealedPrivateKey: seal(privateKey, kid, authSecret) };
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Its own key, derived from AUTH_SECRET, so the secret's other uses (media URLs, webhook
 * signatures, snapshot MACs) never share a key with this.
 */
function sealingKey(authSecret: Uint8Array): Buffer {
  return Buffer.from(
    hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/access-token-signing-keys', 32),
  );
}

/** iv ‖ tag ‖ ciphertext; the kid is associated data, so a sealed key moved to another row fails. */
function seal(privateKey: KeyObject, kid: string, authSecret: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(authSecret), iv);
  cipher.setAAD(Buffer.from(kid));
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/**
 * The key pair of a stored row, or undefined when the row cannot be trusted: sealed under another
 * AUTH_SECRET, changed since, or naming a public key (or kid) that is not its private key's.
 */
export function openSigningKey(row: SealedSigningKey, authSecret: Uint8Array): OpenedSigningKey | undefined {
  const { sealedPrivateKey: sealed } = row;
  if (sealed.length <= IV_BYTES + TAG_BYTES) return undefined;
  let privateKey: KeyObject;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(authSecret), sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(row.kid));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const der = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') return undefined;
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicJwkOf(publicKey);
  if (publicJwk.x !== row.publicJwk.x || keyIdOf(publicJwk) !== row.kid) return undefined;
  return { kid: row.kid, publicJwk, publicKey, privateKey };
}
