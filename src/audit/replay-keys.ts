import type pg from 'pg';
import type { KeyFile } from './export-format.ts';

/** key_id of a marker row "forgotten, no key", as PostgresPersonalDataKeys writes it. */
const NO_KEY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Puts an export's keys into the target's `personal_data_keys` (the table every adapter keeps keys
 * in), with the same key ids so the ciphertexts in the events decrypt, and marks the forgotten
 * people as forgotten so the target refuses them a new key, exactly as the source does.
 */
export async function importKeys(pool: pg.Pool, keyFile: KeyFile): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const { subject, keyId, key } of keyFile.keys) {
      await client.query('insert into personal_data_keys (subject, key_id, key) values ($1, $2, $3)', [
        subject,
        keyId,
        Buffer.from(key, 'base64'),
      ]);
    }
    for (const { subject } of keyFile.forgotten) {
      await client.query(
        'insert into personal_data_keys (subject, key_id, key, destroyed_at) values ($1, $2, null, now())',
        [subject, NO_KEY_ID],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** True when the target already holds personal-data keys: it is not the empty system a replay needs. */
export async function hasKeys(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query('select 1 from personal_data_keys limit 1');
  return rows.length > 0;
}
