import { describe, expect, it } from 'vitest';
import {
  channelSigningSecret,
  signatureHeader,
  verifySignature,
} from '../../src/channels/webhook-signature.ts';

const SECRET = channelSigningSecret(
  new TextEncoder().encode('server-secret-of-at-least-32-characters'),
  'c1',
);
const NOW = new Date('2026-01-01T00:00:00Z');

describe('webhook signatures', () => {
  it('verify for the body and time they were made for', () => {
    const header = signatureHeader(SECRET, '{"ok":true}', NOW);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, header, '{"ok":true}', NOW)).toBe(true);
  });

  it('fail for a tampered body, another channel’s key, a stale timestamp or a missing header', () => {
    const header = signatureHeader(SECRET, '{"ok":true}', NOW);
    const other = channelSigningSecret(
      new TextEncoder().encode('server-secret-of-at-least-32-characters'),
      'c2',
    );
    expect(verifySignature(SECRET, header, '{"ok":false}', NOW)).toBe(false);
    expect(verifySignature(other, header, '{"ok":true}', NOW)).toBe(false);
    expect(verifySignature(SECRET, header, '{"ok":true}', new Date('2026-01-01T00:10:00Z'))).toBe(false);
    expect(verifySignature(SECRET, undefined, '{"ok":true}', NOW)).toBe(false);
  });
});
