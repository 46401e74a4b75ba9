import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptField,
  type EncryptedField,
  encryptField,
  isEncryptedField,
  personalFieldAad,
} from '../../src/privacy/field-encryption.ts';

const flipFirstByte = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  bytes.writeUInt8(bytes.readUInt8(0) ^ 0x01, 0);
  return bytes.toString('base64');
};

describe('field encryption', () => {
  const key = { keyId: randomUUID(), key: randomBytes(32) };
  const aad = personalFieldAad('user:1', 'UserRegistered', 'email');

  it('round-trips a value through a JSON-safe envelope that names its key', () => {
    const envelope = encryptField('ada@example.org', key, aad);
    const stored: unknown = JSON.parse(JSON.stringify(envelope));

    expect(isEncryptedField(stored)).toBe(true);
    expect(envelope).toMatchObject({ $pii: 1, kid: key.keyId });
    expect(JSON.stringify(envelope)).not.toContain('ada@example.org');
    if (!isEncryptedField(stored)) throw new Error('unreachable');
    expect(decryptField(stored, key.key, aad)).toBe('ada@example.org');
  });

  it('round-trips the empty string and non-ASCII text', () => {
    for (const value of ['', 'Zoë Łukasiewicz 🦉']) {
      expect(decryptField(encryptField(value, key, aad), key.key, aad)).toBe(value);
    }
  });

  it('uses a fresh IV each time, so equal values do not look equal', () => {
    expect(encryptField('same', key, aad).ct).not.toBe(encryptField('same', key, aad).ct);
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const envelope = encryptField('ada@example.org', key, aad);
    const tampered: EncryptedField[] = [
      { ...envelope, ct: flipFirstByte(envelope.ct) },
      { ...envelope, tag: flipFirstByte(envelope.tag) },
      { ...envelope, iv: flipFirstByte(envelope.iv) },
    ];
    for (const candidate of tampered) expect(() => decryptField(candidate, key.key, aad)).toThrow();
  });

  it('fails with other associated data: a value cannot move to another subject, event or field', () => {
    const envelope = encryptField('ada@example.org', key, aad);
    for (const other of [
      personalFieldAad('user:2', 'UserRegistered', 'email'),
      personalFieldAad('user:1', 'UserProfileChanged', 'email'),
      personalFieldAad('user:1', 'UserRegistered', 'displayName'),
    ]) {
      expect(() => decryptField(envelope, key.key, other)).toThrow();
    }
  });

  it('fails with another key', () => {
    const envelope = encryptField('ada@example.org', key, aad);
    expect(() => decryptField(envelope, randomBytes(32), aad)).toThrow();
  });

  it('recognises only complete envelopes', () => {
    const envelope = encryptField('x', key, aad);
    expect(isEncryptedField('x')).toBe(false);
    expect(isEncryptedField(null)).toBe(false);
    expect(isEncryptedField({ ...envelope, $pii: 2 })).toBe(false);
    const { tag: _tag, ...withoutTag } = envelope;
    expect(isEncryptedField(withoutTag)).toBe(false);
  });
});
