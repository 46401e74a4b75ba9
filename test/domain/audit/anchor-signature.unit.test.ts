import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkAnchorSignature,
  keyIdOf,
  signAnchor,
  signedAnchorBytes,
} from '../../../src/domain/audit/anchor-signature.ts';

const anchor = {
  fromPosition: '0',
  toPosition: '41',
  eventCount: 40,
  merkleRoot: 'ab'.repeat(32),
  algorithm: 'sha256-merkle-v1',
};

describe('anchor signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = keyIdOf(publicKey);
  const signature = signAnchor(anchor, privateKey, keyId);

  it('verify under the signing key and name it by a stable 16-digit id', () => {
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(signature).toMatchObject({ algorithm: 'ed25519', keyId });
    expect(checkAnchorSignature(anchor, signature, publicKey)).toBe('valid');
  });

  it('fail for any changed field, a missing signature, or another key', () => {
    for (const change of [
      { fromPosition: '1' },
      { toPosition: '42' },
      { eventCount: 41 },
      { merkleRoot: 'cd'.repeat(32) },
      { algorithm: 'other' },
    ]) {
      expect(checkAnchorSignature({ ...anchor, ...change }, signature, publicKey)).toBe('invalid');
    }
    expect(checkAnchorSignature(anchor, undefined, publicKey)).toBe('unsigned');
    const other = generateKeyPairSync('ed25519');
    expect(checkAnchorSignature(anchor, signature, other.publicKey)).toBe('other-key');
    // A forger who copies the key id still cannot make the signature verify.
    const forged = signAnchor(anchor, other.privateKey, keyId);
    expect(checkAnchorSignature(anchor, forged, publicKey)).toBe('invalid');
  });

  it('sign one unambiguous line: fields cannot run into each other', () => {
    const a = signedAnchorBytes({ ...anchor, fromPosition: '1', toPosition: '23' }).toString();
    const b = signedAnchorBytes({ ...anchor, fromPosition: '12', toPosition: '3' }).toString();
    expect(a).not.toBe(b);
  });
});
