import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  invitationAddressKey,
  invitationEmailHash,
  invitationEmailHint,
} from '../../../src/services/brands/invitation-addresses.ts';

const key = invitationAddressKey(new TextEncoder().encode('a-server-secret-of-at-least-32-characters'));

describe('invitation addresses', () => {
  it('hash the address as accounts store it: trimmed and lower-cased', () => {
    const hash = invitationEmailHash(key, 'ada@example.org');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(invitationEmailHash(key, '  Ada@Example.ORG ')).toBe(hash);
    expect(invitationEmailHash(key, 'ada2@example.org')).not.toBe(hash);
  });

  it('key the hash with the server secret: a plain hash of a guessed address does not match it', () => {
    const hash = invitationEmailHash(key, 'ada@example.org');
    expect(hash).not.toBe(createHash('sha256').update('ada@example.org').digest('hex'));
    const otherKey = invitationAddressKey(
      new TextEncoder().encode('another-secret-of-at-least-32-characters'),
    );
    expect(invitationEmailHash(otherKey, 'ada@example.org')).not.toBe(hash);
  });

  it('mask all of the local part but its first character', () => {
    expect(invitationEmailHint(' Ada.Lovelace@Example.org')).toBe('a•••@example.org');
    expect(invitationEmailHint('x@example.org')).toBe('x•••@example.org');
    expect(invitationEmailHint('"odd@local"@example.org')).toBe('"•••@example.org');
  });
});
