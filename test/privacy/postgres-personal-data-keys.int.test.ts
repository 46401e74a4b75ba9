import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresPersonalDataKeys } from '../../src/privacy/postgres-personal-data-keys.ts';
import { freshDatabase } from '../support/database.ts';

describe('PostgreSQL personal-data keys', () => {
  let pool: pg.Pool;
  let keys: PostgresPersonalDataKeys;
  const subject = () => `user:${randomUUID()}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabase('keys'), max: 12 });
    keys = new PostgresPersonalDataKeys(pool);
  });
  afterAll(async () => {
    await pool.end();
  });

  it('creates a 32-byte key on first use and returns the same key afterwards', async () => {
    const ada = subject();
    const first = await keys.keyFor(ada);
    expect(first.key).toHaveLength(32);
    await expect(keys.keyFor(ada)).resolves.toEqual(first);
    await expect(new PostgresPersonalDataKeys(pool).keyFor(ada)).resolves.toEqual(first);
    expect((await keys.keyFor(subject())).key.equals(first.key)).toBe(false);
  });

  it('gives concurrent first uses of a subject one and the same key', async () => {
    const ada = subject();
    const processes = Array.from({ length: 10 }, () => new PostgresPersonalDataKeys(pool, { cacheTtlMs: 0 }));
    const results = await Promise.all(processes.map((each) => each.keyFor(ada)));
    expect(new Set(results.map((result) => result.keyId)).size).toBe(1);
    expect(new Set(results.map((result) => result.key.toString('hex'))).size).toBe(1);
  });

  it('finds a key by subject and key id, and nothing for an unknown one', async () => {
    const ada = subject();
    const { keyId, key } = await keys.keyFor(ada);
    const uncached = new PostgresPersonalDataKeys(pool, { cacheTtlMs: 0 });
    await expect(uncached.find(ada, keyId)).resolves.toEqual(key);
    await expect(keys.find(ada, keyId)).resolves.toEqual(key);
    await expect(uncached.find(ada, randomUUID())).resolves.toBeNull();
    await expect(keys.find(ada, randomUUID())).resolves.toBeNull();
    await expect(uncached.find(subject(), keyId)).resolves.toBeNull();
  });

  it('destroys the key bytes for good and refuses the subject a new key', async () => {
    const ada = subject();
    const { keyId } = await keys.keyFor(ada);

    const destroyed = await keys.destroy(ada);

    expect(destroyed).toMatchObject({ keyId, alreadyDestroyed: false });
    expect(destroyed.destroyedAt).toBeInstanceOf(Date);
    const { rows } = await pool.query('select key, destroyed_at from personal_data_keys where subject = $1', [
      ada,
    ]);
    expect(rows).toEqual([{ key: null, destroyed_at: destroyed.destroyedAt }]);
    await expect(keys.find(ada, keyId)).resolves.toBeNull();
    await expect(keys.keyFor(ada)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SUBJECT_FORGOTTEN' });
  });

  it('is idempotent: destroying again reports the first destruction', async () => {
    const ada = subject();
    const { keyId } = await keys.keyFor(ada);
    const first = await keys.destroy(ada);
    const again = await keys.destroy(ada);
    expect(again).toEqual({ keyId, destroyedAt: first.destroyedAt, alreadyDestroyed: true });
  });

  it('reports exactly one destruction when several race', async () => {
    const ada = subject();
    await keys.keyFor(ada);
    const results = await Promise.all(Array.from({ length: 5 }, () => keys.destroy(ada)));
    expect(results.filter((result) => !result.alreadyDestroyed)).toHaveLength(1);
  });

  it('marks a subject that never had a key as forgotten, so it never gets one', async () => {
    const nobody = subject();
    const destroyed = await keys.destroy(nobody);
    expect(destroyed).toMatchObject({ keyId: null, alreadyDestroyed: false });
    await expect(keys.keyFor(nobody)).rejects.toMatchObject({ reason: 'SUBJECT_FORGOTTEN' });
    await expect(keys.destroy(nobody)).resolves.toMatchObject({ keyId: null, alreadyDestroyed: true });
  });

  it('evicts its own cache on destroy; another process stops decrypting within its cache TTL', async () => {
    const ada = subject();
    const here = new PostgresPersonalDataKeys(pool, { cacheTtlMs: 60_000 });
    const elsewhere = new PostgresPersonalDataKeys(pool, { cacheTtlMs: 200 });
    const { keyId } = await here.keyFor(ada);
    await elsewhere.find(ada, keyId);

    await here.destroy(ada);

    await expect(here.find(ada, keyId)).resolves.toBeNull();
    await expect(elsewhere.find(ada, keyId)).resolves.not.toBeNull();
    await sleep(250);
    await expect(elsewhere.find(ada, keyId)).resolves.toBeNull();
  });
});
