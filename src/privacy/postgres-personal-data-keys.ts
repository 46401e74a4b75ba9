import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { conflict } from '../domain/shared/domain-error.ts';
import type { KeyDestruction, PersonalDataKeys, SubjectKey } from './personal-data-keys.ts';

/** key_id of a row that only records "forgotten before any key existed". */
const NO_KEY_ID = '00000000-0000-0000-0000-000000000000';

export interface PostgresPersonalDataKeysOptions {
  /**
   * How long a key stays cached in this process (projections decrypt many events of the same
   * person). `destroy` evicts it here at once, but another process may go on decrypting with its
   * cached copy for at most this long. 0 disables the cache.
   */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
}

interface KeyRow {
  key_id: string;
  key: Buffer | null;
  destroyed_at: Date | null;
}

interface CachedKey extends SubjectKey {
  expiresAt: number;
}

/** Personal-data keys in the `personal_data_keys` table (migrations/1732350000002). */
export class PostgresPersonalDataKeys implements PersonalDataKeys {
  private readonly cache = new Map<string, CachedKey>();
  /** Subjects destroyed by this process: a lookup already in flight must not cache their key again. */
  private readonly destroyedHere = new Set<string>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresPersonalDataKeysOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 2000;
    this.maxEntries = options.cacheMaxEntries ?? 10_000;
  }

  async keyFor(subject: string): Promise<SubjectKey> {
    const cached = this.cached(subject);
    if (cached) return cached;
    let row = await this.select(subject);
    if (!row) {
      // Two first uses may race: both insert, one wins, both then read the winner's key.
      await this.pool.query(
        'insert into personal_data_keys (subject, key_id, key) values ($1, $2, $3) on conflict (subject) do nothing',
        [subject, randomUUID(), randomBytes(32)],
      );
      row = await this.select(subject);
    }
    if (!row || row.destroyed_at || !row.key) {
      throw conflict('SUBJECT_FORGOTTEN', 'This person was forgotten; their personal data cannot be stored', {
        subject,
      });
    }
    return this.remember(subject, { keyId: row.key_id, key: row.key });
  }

  async find(subject: string, keyId: string): Promise<Buffer | null> {
    const cached = this.cached(subject);
    if (cached) return cached.keyId === keyId ? cached.key : null;
    const row = await this.select(subject);
    if (!row?.key || row.key_id !== keyId) return null;
    return this.remember(subject, { keyId: row.key_id, key: row.key }).key;
  }

  async destroy(subject: string): Promise<KeyDestruction> {
    this.destroyedHere.add(subject);
    this.cache.delete(subject);
    // One statement, race-safe: the upsert takes the row lock. `destroyed_at` equals this
    // transaction's now() exactly when this call destroyed the key; an earlier call left an older time.
    const { rows } = await this.pool.query<{ key_id: string; destroyed_at: Date; destroyed_now: boolean }>(
      `insert into personal_data_keys as k (subject, key_id, key, destroyed_at)
       values ($1, $2, null, now())
       on conflict (subject) do update set key = null, destroyed_at = coalesce(k.destroyed_at, now())
       returning k.key_id, k.destroyed_at, k.destroyed_at = now() as destroyed_now`,
      [subject, NO_KEY_ID],
    );
    const row = rows[0];
    if (!row) throw new Error(`Destroying the key of ${subject} returned no row`);
    return {
      keyId: row.key_id === NO_KEY_ID ? null : row.key_id,
      destroyedAt: row.destroyed_at,
      alreadyDestroyed: !row.destroyed_now,
    };
  }

  private async select(subject: string): Promise<KeyRow | undefined> {
    const { rows } = await this.pool.query<KeyRow>(
      'select key_id, key, destroyed_at from personal_data_keys where subject = $1',
      [subject],
    );
    return rows[0];
  }

  private cached(subject: string): SubjectKey | undefined {
    const entry = this.cache.get(subject);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return { keyId: entry.keyId, key: entry.key };
    this.cache.delete(subject);
    return undefined;
  }

  private remember(subject: string, key: SubjectKey): SubjectKey {
    if (this.ttlMs <= 0 || this.destroyedHere.has(subject)) return key;
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(subject, { ...key, expiresAt: Date.now() + this.ttlMs });
    return key;
  }
}
