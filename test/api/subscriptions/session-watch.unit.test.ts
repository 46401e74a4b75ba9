import { describe, expect, it } from 'vitest';
import { touches } from '../../../src/api/subscriptions/session-watch.ts';

describe('session watch', () => {
  const user = { actor: { kind: 'user', userId: 'u1', role: 'user' }, sessionId: 's1' } as const;
  const change = (projection: string, key: Record<string, unknown>, truncated = false) => ({
    projection,
    position: '1',
    keys: [{ table: projection, key }],
    truncated,
  });

  it("re-checks on changes to the caller's session or user only", () => {
    expect(touches(change('sessions', { session_id: 's1' }), user)).toBe(true);
    expect(touches(change('users', { user_id: 'u1' }), user)).toBe(true);
    expect(touches(change('sessions', { session_id: 's2' }), user)).toBe(false);
    expect(touches(change('stream_catalogue', { user_id: 'u1' }), user)).toBe(false);
    expect(touches(change('users', {}, true), user)).toBe(true);
  });

  it("re-checks an API key's connection on changes to the key or its owner", () => {
    const key = { actor: { kind: 'integration', keyId: 'k1', ownerId: 'u1', scopes: [] } } as const;
    expect(touches(change('api_keys', { key_id: 'k1' }), key)).toBe(true);
    expect(touches(change('users', { user_id: 'u1' }), key)).toBe(true);
    expect(touches(change('api_keys', { key_id: 'k2' }), key)).toBe(false);
  });
});
