import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * One personal value as it is stored in an event: AES-256-GCM ciphertext under the subject's key.
 * `kid` names the key, so reading the value back needs no other bookkeeping; destroying the key
 * makes every copy of the value unreadable at once ("crypto-shredding").
 */
export interface EncryptedField {
  $pii: 1;
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

const encryptedField = z.object({
  $pii: z.literal(1),
  kid: z.string().min(1),
  iv: z.base64(),
  ct: z.base64(),
  tag: z.base64(),
});

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isEncryptedField(value: unknown): value is EncryptedField {
  return encryptedField.safeParse(value).success;
}

/**
 * Associated data for a personal field: a ciphertext only decrypts in the event (type) and field it
 * was written for, and for its subject, so it cannot be copied into another event or person.
 */
export function personalFieldAad(subject: string, eventType: string, field: string): string {
  return JSON.stringify([subject, eventType, field]);
}

export function encryptField(
  value: string,
  { keyId, key }: { keyId: string; key: Buffer },
  aad: string,
): EncryptedField {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return {
    $pii: 1,
    kid: keyId,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Throws when the ciphertext, tag, key or associated data do not match: tampering is never silent. */
export function decryptField(envelope: EncryptedField, key: Buffer, aad: string): string {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(envelope.iv, 'base64'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
  return plain.toString('utf8');
}
