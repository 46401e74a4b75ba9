import type pg from 'pg';
import { publicJwkSchema, type SealedSigningKey, SIGNING_ALGORITHM } from './signing-key-material.ts';
import { verifiesUntil } from './signing-key-policy.ts';

/**
 * `access_token_signing_keys` (migration 1732350000025): what every API process and
 * `chronicle keys` read and change. At most one row is unretired, the database guarantees it.
 */

export interface StoredSigningKey extends SealedSigningKey {
  createdAt: Date;
  retiredAt: Date | null;
  verifiesUntil: Date | null;
}

interface Row {
  kid: string;
  public_jwk: unknown;
  sealed_private_key: Buffer;
  created_at: Date;
  retired_at: Date | null;
  verifies_until: Date | null;
}

const toKey = (row: Row): StoredSigningKey => ({
  kid: row.kid,
  publicJwk: publicJwkSchema.parse(row.public_jwk),
  sealedPrivateKey: row.sealed_private_key,
  createdAt: row.created_at,
  retiredAt: row.retired_at,
  verifiesUntil: row.verifies_until,
});

/** Every key, the signing one first, then newest first (retired keys stay as history). */
export async function listSigningKeys(db: pg.Pool | pg.PoolClient): Promise<StoredSigningKey[]> {
  const { rows } = await db.query<Row>(
    `select kid, public_jwk, sealed_private_key, created_at, retired_at, verifies_until
       from access_token_signing_keys
      order by retired_at is null desc, created_at desc, kid`,
  );
  return rows.map(toKey);
}

/**
 * Stores `key` as the signing key unless there is one. Safe when several processes start at once:
 * the losers' inserts conflict on the one-signer index and do nothing. True when `key` was stored.
 */
export async function createFirstSigningKey(
  pool: pg.Pool,
  key: SealedSigningKey,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `insert into access_token_signing_keys (kid, algorithm, public_jwk, sealed_private_key, created_at)
     select $1, $2, $3, $4, $5
      where not exists (select 1 from access_token_signing_keys where retired_at is null)
     on conflict do nothing`,
    [key.kid, SIGNING_ALGORITHM, key.publicJwk, key.sealedPrivateKey, now],
  );
  return rowCount === 1;
}

export interface Rotation {
  /** The key that signed until now, if there was one. */
  retired?: { kid: string; verifiesUntil: Date };
  signing: string;
}

/**
 * Retires the signing key and stores `key` in its place, in one transaction. With
 * `ifSignerCreatedBefore` (automatic rotation) it does nothing, and answers undefined, when the
 * signing key is younger than that: another process rotated first. Rotations are serialised by a
 * transaction-level advisory lock, so each one sees the key the one before it stored.
 */
export async function rotateSigningKey(
  pool: pg.Pool,
  key: SealedSigningKey,
  now: Date,
  options: { ifSignerCreatedBefore?: Date; check?: (signer: StoredSigningKey) => void } = {},
): Promise<Rotation | undefined> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('chronicle.access-token-signing-keys'))");
    const signer = (await listSigningKeys(client)).find((k) => k.retiredAt === null);
    if (signer && options.check) options.check(signer);
    const { ifSignerCreatedBefore: cutoff } = options;
    if (cutoff && signer && signer.createdAt.getTime() >= cutoff.getTime()) {
      await client.query('rollback');
      return undefined;
    }
    const until = verifiesUntil(now);
    if (signer) {
      await client.query(
        `update access_token_signing_keys set retired_at = $2, verifies_until = $3
          where kid = $1 and retired_at is null`,
        [signer.kid, now, until],
      );
    }
    await client.query(
      `insert into access_token_signing_keys (kid, algorithm, public_jwk, sealed_private_key, created_at)
       values ($1, $2, $3, $4, $5)`,
      [key.kid, SIGNING_ALGORITHM, key.publicJwk, key.sealedPrivateKey, now],
    );
    await client.query('commit');
    return { signing: key.kid, ...(signer ? { retired: { kid: signer.kid, verifiesUntil: until } } : {}) };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
