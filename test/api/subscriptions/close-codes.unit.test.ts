import { describe, expect, it } from 'vitest';
import { closeReason } from '../../../src/api/subscriptions/close-codes.ts';

describe('close reasons', () => {
  it('fit a close frame (123 bytes) and start with CODE/REASON', () => {
    const reason = closeReason('UNAUTHENTICATED', 'SESSION_REVOKED', 'é'.repeat(200));
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason.startsWith('UNAUTHENTICATED/SESSION_REVOKED: ')).toBe(true);
  });
});
