import { createHash, type KeyObject, sign, verify } from 'node:crypto';

/**
 * Signed anchors. A database administrator can rewrite events, recompute every hash chain and
 * append fresh anchors over the result; what they cannot do without the signing key (kept outside
 * the database: AUDIT_SIGNING_KEY_FILE) is sign those anchors. An anchor signature is Ed25519 over
 * one canonical line naming the range and its Merkle root, so anyone holding the public key can
 * check an anchor, in the store or in a published copy, without our code.
 */

export const SIGNATURE_ALGORITHM = 'ed25519';

export interface SignedAnchorFields {
  fromPosition: string;
  toPosition: string;
  eventCount: number;
  merkleRoot: string;
  algorithm: string;
}

export interface AnchorSignature {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** keyIdOf(the public key): says which key signed, so a rotated key is told apart from a forgery. */
  keyId: string;
  /** Base64 Ed25519 signature over signedAnchorBytes. */
  value: string;
}

/** The bytes a signature covers: a JSON array, so no field can run into the next. */
export function signedAnchorBytes(anchor: SignedAnchorFields): Buffer {
  const line = JSON.stringify([
    'chronicle-audit-anchor-v1',
    anchor.fromPosition,
    anchor.toPosition,
    anchor.eventCount,
    anchor.merkleRoot,
    anchor.algorithm,
  ]);
  return Buffer.from(line, 'utf8');
}

/** The first 16 hex digits of SHA-256 over the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function signAnchor(
  anchor: SignedAnchorFields,
  privateKey: KeyObject,
  keyId: string,
): AnchorSignature {
  return {
    algorithm: SIGNATURE_ALGORITHM,
    keyId,
    value: sign(null, signedAnchorBytes(anchor), privateKey).toString('base64'),
  };
}

export type SignatureCheck = 'valid' | 'invalid' | 'unsigned' | 'other-key';

/** Whether `signature` is the holder of `publicKey`'s signature over this anchor. */
export function checkAnchorSignature(
  anchor: SignedAnchorFields,
  signature: AnchorSignature | undefined,
  publicKey: KeyObject,
): SignatureCheck {
  if (!signature) return 'unsigned';
  if (signature.keyId !== keyIdOf(publicKey)) return 'other-key';
  const value = Buffer.from(signature.value, 'base64');
  return verify(null, signedAnchorBytes(anchor), publicKey, value) ? 'valid' : 'invalid';
}
