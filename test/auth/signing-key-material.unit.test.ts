import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKey,
  KID_PATTERN,
  keyIdOf,
  openSigningKey,
  publicJwkOf,
} from '../../src/auth/signing-key-material.ts';

const authSecret = new TextEncoder().encode('a-test-secret-that-is-at-least-32-characters');

describe('signing key material', () => {
  it('makes Ed25519 pairs whose kid is the RFC 7638 thumbprint of the public key', async () => {
    const key = generateSigningKey(authSecret);
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(KID_PATTERN) });
    expect(key.kid).toMatch(KID_PATTERN);
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(generateSigningKey(authSecret).kid).not.toBe(key.kid);
  });

  it('seals the private key: the database copy holds no key material in the clear', () => {
    const key = generateSigningKey(authSecret);
    const opened = openSigningKey(key, authSecret);
    if (!opened) throw new Error('expected the key to open');
    const der = opened.privateKey.export({ format: 'der', type: 'pkcs8' });
    const seed = der.subarray(der.length - 32);
    expect(key.sealedPrivateKey.includes(seed)).toBe(false);
    // The pair opened is the pair: what it signs, the published public key verifies.
    const data = Buffer.from('header.payload');
    const signature = sign(null, data, opened.privateKey);
    const published = createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
    expect(verify(null, data, published, signature)).toBe(true);
  });

  it('opens only under the AUTH_SECRET it was sealed with', () => {
    const key = generateSigningKey(authSecret);
    const other = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
    expect(openSigningKey(key, other)).toBeUndefined();
  });

  it('refuses a row whose public key, kid or sealed bytes were changed', () => {
    const key = generateSigningKey(authSecret);
    const intruder = publicJwkOf(generateKeyPairSync('ed25519').publicKey);
    // Someone with database access alone swaps in their own public key (and its kid): refused.
    expect(openSigningKey({ ...key, publicJwk: intruder }, authSecret)).toBeUndefined();
    expect(
      openSigningKey({ ...key, publicJwk: intruder, kid: keyIdOf(intruder) }, authSecret),
    ).toBeUndefined();
    // A sealed key moved to another row (its kid is the associated data): refused.
    const another = generateSigningKey(authSecret);
    expect(
      openSigningKey({ ...another, sealedPrivateKey: key.sealedPrivateKey }, authSecret),
    ).toBeUndefined();
    const flipped = Buffer.from(key.sealedPrivateKey);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(openSigningKey({ ...key, sealedPrivateKey: flipped }, authSecret)).toBeUndefined();
    expect(openSigningKey({ ...key, sealedPrivateKey: Buffer.alloc(8) }, authSecret)).toBeUndefined();
  });
});
