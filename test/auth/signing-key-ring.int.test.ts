import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, keyIdOf, publicJwkOf } from '../../src/auth/signing-key-material.ts';
import { SigningKeyRing, type SigningKeyRingOptions } from '../../src/auth/signing-key-ring.ts';
import { listSigningKeys, rotateSigningKey } from '../../src/auth/signing-key-store.ts';
import { ConfigError } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';

const authSecret = new TextEncoder().encode('ring-test-secret-that-is-at-least-32-characters');
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const DAY_MS = 86_400_000;

describe('signing key ring (PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  const database = async () => {
    const pool = new pg.Pool({ connectionString: await freshDatabase('signing_keys'), max: 12 });
    pools.push(pool);
    return pool;
  };
  const ring = (pool: pg.Pool, options: Partial<SigningKeyRingOptions> = {}) =>
    new SigningKeyRing({ pool, authSecret, log, ...options });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('makes exactly one first key when several processes start together', async () => {
    const pool = await database();
    const now = new Date();
    const signers = await Promise.all(Array.from({ length: 8 }, () => ring(pool).signingKey(now)));
    const keys = await listSigningKeys(pool);
    expect(keys).toHaveLength(1);
    expect(new Set(signers.map((signer) => signer.kid))).toEqual(new Set([keys[0]?.kid]));
  });

  it('serialises rotations: racing ones leave one signer and a chain of retired keys', async () => {
    const pool = await database();
    await ring(pool).signingKey(new Date());
    const now = new Date();
    await Promise.all(
      Array.from({ length: 5 }, () => rotateSigningKey(pool, generateSigningKey(authSecret), now)),
    );
    const keys = await listSigningKeys(pool);
    expect(keys).toHaveLength(6);
    expect(keys.filter((key) => key.retiredAt === null)).toHaveLength(1);
  });

  describe('on one database', () => {
    let pool: pg.Pool;
    beforeAll(async () => {
      pool = await database();
    });

    it('finds a key another process made as soon as a token names it', async () => {
      const here = ring(pool);
      const before = await here.signingKey(new Date());
      // Another process (or `chronicle keys rotate`) rotates; this one read its keys a moment ago.
      const elsewhere = ring(pool);
      await elsewhere.signingKey(new Date());
      const rotation = await rotateSigningKey(pool, generateSigningKey(authSecret), new Date());
      expect(rotation?.retired?.kid).toBe(before.kid);
      const now = new Date();
      expect(await here.verificationKey(rotation?.signing ?? '', now)).toBeDefined();
      expect(await here.verificationKey(before.kid, now)).toBeDefined();
      // Its own signer changes once it reads again (here: prompted by the unknown kid).
      expect((await here.signingKey(now)).kid).toBe(rotation?.signing);
    });

    it('refuses made-up kids, reading at most once per interval however many arrive', async () => {
      const here = ring(pool, { minReadIntervalMs: 300 });
      const now = new Date();
      await here.signingKey(now);
      const stranger = keyIdOf(publicJwkOf(generateKeyPairSync('ed25519').publicKey));
      const startedAt = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => here.verificationKey(stranger, now)),
      );
      expect(answers.every((answer) => answer === undefined)).toBe(true);
      // One read for the whole burst: fifty reads 300 ms apart would have taken 15 s.
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      expect(await here.verificationKey('not-a-kid', now)).toBeUndefined();
    });

    it('drops a retired key once its tokens cannot be alive, from verification and the JWKS', async () => {
      const now = new Date();
      const old = await ring(pool).signingKey(now);
      const rotation = await rotateSigningKey(pool, generateSigningKey(authSecret), now);
      // A process reading the keys after the rotation (every process does within KEY_REFRESH_MS).
      const here = ring(pool);
      const until = rotation?.retired?.verifiesUntil ?? now;
      expect(until.getTime() - now.getTime()).toBe(20 * 60_000);
      const justBefore = new Date(until.getTime() - 1);
      expect(await here.verificationKey(old.kid, justBefore)).toBeDefined();
      expect((await here.publishedKeys(justBefore)).map((key) => key.kid)).toContain(old.kid);
      expect(await here.verificationKey(old.kid, until)).toBeUndefined();
      expect((await here.publishedKeys(until)).map((key) => key.kid)).not.toContain(old.kid);
      expect((await here.publishedKeys(until)).map((key) => key.kid)).toContain(rotation?.signing);
    });

    it('trusts no key a process cannot open: another AUTH_SECRET, or a row planted in the database', async () => {
      const now = new Date();
      const signer = await ring(pool).signingKey(now);
      const stranger = new SigningKeyRing({
        pool,
        authSecret: new TextEncoder().encode('another-secret-that-is-at-least-32-characters'),
        log,
      });
      const refused = await stranger.signingKey(now).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).issues[0]).toMatchObject({ variable: 'AUTH_SECRET' });
      expect(await stranger.verificationKey(signer.kid, now)).toBeUndefined();
      expect(await stranger.publishedKeys(now)).toEqual([]);

      // Someone with database access alone plants a retired key of their own: never trusted.
      const planted = publicJwkOf(createPublicKey(generateKeyPairSync('ed25519').privateKey));
      const plantedKid = keyIdOf(planted);
      await pool.query(
        `insert into access_token_signing_keys
           (kid, algorithm, public_jwk, sealed_private_key, created_at, retired_at, verifies_until)
         values ($1, 'EdDSA', $2, $3, now(), now(), now() + interval '1 hour')`,
        [plantedKid, planted, generateSigningKey(authSecret).sealedPrivateKey],
      );
      const fresh = ring(pool);
      expect(await fresh.verificationKey(plantedKid, now)).toBeUndefined();
      expect((await fresh.publishedKeys(now)).map((key) => key.kid)).not.toContain(plantedKid);
      expect((await fresh.signingKey(now)).kid).toBe(signer.kid);
    });
  });

  it('rotates by itself once the signing key is KEY_ROTATION_DAYS old, once across processes', async () => {
    const pool = await database();
    const first = await ring(pool).signingKey(new Date());
    // The key was made 91 days ago.
    await pool.query(
      `update access_token_signing_keys set created_at = created_at - interval '91 days' where kid = $1`,
      [first.kid],
    );
    const now = new Date();
    const rings = Array.from({ length: 4 }, () => ring(pool, { rotateAfterDays: 90 }));
    const signers = await Promise.all(rings.map((r) => r.signingKey(now)));
    const keys = await listSigningKeys(pool);
    expect(keys).toHaveLength(2);
    const [signing, retired] = keys;
    expect(retired).toMatchObject({ kid: first.kid, retiredAt: now });
    expect(new Set(signers.map((signer) => signer.kid))).toEqual(new Set([signing?.kid]));
    // The old key's tokens still verify; a ring that never rotates leaves a young key alone.
    expect(await rings[0]?.verificationKey(first.kid, now)).toBeDefined();
    await ring(pool, { rotateAfterDays: 90 }).signingKey(new Date(now.getTime() + 89 * DAY_MS));
    expect(await listSigningKeys(pool)).toHaveLength(2);
    await ring(pool, { rotateAfterDays: 0 }).signingKey(new Date(now.getTime() + 400 * DAY_MS));
    expect(await listSigningKeys(pool)).toHaveLength(2);
  });
});
