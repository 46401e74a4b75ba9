import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessCache, type ApiKeyFacts, type SessionFacts } from '../../../src/api/auth/access-cache.ts';
import type { Change } from '../../../src/projections/change-bus.ts';

const sessionOf = (userId: string, role: SessionFacts['role'] = 'user'): SessionFacts => ({
  userId,
  startedAt: new Date('2026-01-01T00:00:00Z'),
  revoked: false,
  userStatus: 'active',
  role,
  sessionsRevokedBefore: null,
});

const keyOf = (ownerId: string): ApiKeyFacts => ({
  ownerId,
  scopes: ['graphql:read'],
  tokenHash: 'ab'.repeat(32),
  revoked: false,
  ownerStatus: 'active',
});

const change = (projection: string, keys: Record<string, unknown>[], truncated = false): Change => ({
  projection,
  position: '1',
  keys: keys.map((key) => ({ table: projection, key })),
  truncated,
});

/** A cache on a clock the test moves, and a loader that counts how often it is asked. */
function fixture(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 0;
  const cache = new AccessCache({
    ttlMs: options.ttlMs ?? 1_000,
    maxEntries: options.maxEntries ?? 100,
    clock: () => now,
  });
  const loads: string[] = [];
  const facts = new Map<string, SessionFacts>();
  const session = (id: string) =>
    cache.session(id, async () => {
      loads.push(id);
      return facts.get(id);
    });
  return { cache, loads, facts, session, advance: (ms: number) => (now += ms) };
}

describe('AccessCache', () => {
  it('answers a session from memory until its time is up, then asks again', async () => {
    const { loads, facts, session, advance } = fixture({ ttlMs: 1_000 });
    const id = randomUUID();
    facts.set(id, sessionOf(randomUUID()));
    await session(id);
    advance(999);
    expect(await session(id)).toEqual(facts.get(id));
    expect(loads).toEqual([id]);
    advance(1);
    await session(id);
    expect(loads).toEqual([id, id]);
  });

  it('keeps no answer for an unknown credential', async () => {
    const { loads, session } = fixture();
    const id = randomUUID();
    expect(await session(id)).toBeUndefined();
    expect(await session(id)).toBeUndefined();
    expect(loads).toEqual([id, id]);
  });

  it("evicts a session, every session of a user and a key's owner's keys named by a change", async () => {
    const { cache, loads, facts, session } = fixture();
    const [userA, userB] = [randomUUID(), randomUUID()];
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    facts.set(s1, sessionOf(userA));
    facts.set(s2, sessionOf(userA));
    facts.set(s3, sessionOf(userB));
    const keyId = randomUUID();
    let keyLoads = 0;
    const key = () =>
      cache.apiKey(keyId, async () => {
        keyLoads++;
        return keyOf(userA);
      });
    for (const id of [s1, s2, s3]) await session(id);
    await key();

    cache.forget(change('sessions', [{ session_id: s3 }]));
    for (const id of [s1, s2, s3]) await session(id);
    expect(loads.slice(3)).toEqual([s3]);

    cache.forget(change('users', [{ user_id: userA }]));
    for (const id of [s1, s2, s3]) await session(id);
    await key();
    expect(loads.slice(4)).toEqual([s1, s2]);
    expect(keyLoads).toBe(2);
  });

  it('empties itself on a change that does not list its keys, and ignores other read models', async () => {
    const { cache, facts, session } = fixture();
    const id = randomUUID();
    facts.set(id, sessionOf(randomUUID()));
    await session(id);
    expect(cache.size).toBe(1);
    cache.forget(change('contents', [{ content_id: randomUUID() }], true));
    expect(cache.size).toBe(1);
    cache.forget(change('api_keys', [], true));
    expect(cache.size).toBe(0);
  });

  it('does not store what a look-up read while an eviction passed it', async () => {
    const { cache } = fixture();
    const id = randomUUID();
    const stale = sessionOf(randomUUID(), 'admin');
    let release: () => void = () => {};
    const pending = cache.session(id, () => new Promise((resolve) => (release = () => resolve(stale))));
    // The role change commits and is announced while the look-up's row is on its way back.
    cache.forget(change('users', [{ user_id: stale.userId }]));
    release();
    expect(await pending).toEqual(stale);
    const fresh = { ...stale, role: 'user' as const };
    expect(await cache.session(id, async () => fresh)).toEqual(fresh);
  });

  it('evicts after a command of this process unless its events cannot take access away', async () => {
    const { cache, facts, session, loads } = fixture();
    const id = randomUUID();
    facts.set(id, sessionOf(randomUUID()));
    await session(id);
    const reached = change('users', [], true);
    cache.commandReached(reached, ['UserProfileChanged']);
    cache.commandReached(reached, ['LoginSucceeded', 'SessionStarted']);
    expect(cache.size).toBe(1);
    cache.commandReached(reached, ['UserProfileChanged', 'UserRoleChanged']);
    expect(cache.size).toBe(0);
    await session(id);
    cache.commandReached(reached, undefined);
    expect(cache.size).toBe(0);
    expect(loads).toEqual([id, id]);
  });

  it('verifies an access token once while its entry lives, whatever the read models report', async () => {
    const { cache, advance } = fixture({ ttlMs: 1_000 });
    const claims = {
      userId: randomUUID(),
      sessionId: randomUUID(),
      role: 'user' as const,
      issuedAt: new Date('2026-01-01T00:00:00Z'),
      expiresAt: new Date('2026-01-01T00:15:00Z'),
    };
    let verified = 0;
    const verify = async () => {
      verified++;
      return claims;
    };
    await cache.verifiedToken('token-a', verify);
    cache.forget(change('sessions', [], true));
    expect(await cache.verifiedToken('token-a', verify)).toEqual(claims);
    expect(verified).toBe(1);
    await cache.verifiedToken('token-b', verify);
    advance(1_000);
    await cache.verifiedToken('token-a', verify);
    expect(verified).toBe(3);
    // A token that fails verification is not kept: it is verified (and refused) every time.
    let refused = 0;
    const forged = async () => {
      refused++;
      throw new Error('bad signature');
    };
    await expect(cache.verifiedToken('forged', forged)).rejects.toThrow('bad signature');
    await expect(cache.verifiedToken('forged', forged)).rejects.toThrow('bad signature');
    expect(refused).toBe(2);
  });

  it('holds at most maxEntries of a kind, dropping the oldest', async () => {
    const { cache, facts, session, loads } = fixture({ maxEntries: 2 });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      facts.set(id, sessionOf(randomUUID()));
      await session(id);
    }
    expect(cache.size).toBe(2);
    await session(ids[2] ?? '');
    await session(ids[0] ?? '');
    expect(loads).toEqual([...ids, ids[0]]);
  });
});
