import path from 'node:path';
import type pg from 'pg';
import { AUTH_SECRET_FILE, existingAuthSecret } from '../auth/auth-secret.ts';
import { generateSigningKey, openSigningKey } from '../auth/signing-key-material.ts';
import { KEY_REFRESH_MS, keyStatus } from '../auth/signing-key-policy.ts';
import { listSigningKeys, rotateSigningKey, type StoredSigningKey } from '../auth/signing-key-store.ts';
import { type Config, ConfigError } from '../config.ts';
import { createPool } from '../infra/pg-pool.ts';
import type { Logger } from '../logger.ts';
import { OperatorError, operatorDatabaseUrl } from './dev-lock.ts';

export type KeysCommand = { action: 'rotate' } | { action: 'list' };

/**
 * `chronicle keys rotate | list`: the access-token signing keys (src/auth/signing-key-*.ts) in
 * DATABASE_URL, or the database of a running `chronicle dev`. Every failure is one line.
 */
export async function runKeys(config: Config, log: Logger, command: KeysCommand): Promise<number> {
  const databaseUrl = await operatorDatabaseUrl(config);
  const pool = createPool(
    { connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 3_000 },
    log.child({ component: 'keys' }),
  );
  try {
    await checkDatabase(
      pool,
      config.DATABASE_URL ? 'DATABASE_URL' : 'the database of the running chronicle dev',
    );
    if (command.action === 'list') {
      process.stdout.write(`${formatSigningKeys(await listSigningKeys(pool), new Date())}\n`);
      return 0;
    }
    const authSecret = await apiAuthSecret(config);
    const rotation = await rotateSigningKey(pool, generateSigningKey(authSecret), new Date(), {
      // A key sealed under another secret would stop every sign-in: prove this is the API's first.
      check: (signer) => {
        if (!openSigningKey(signer, authSecret)) {
          throw new OperatorError(
            `AUTH_SECRET does not open the current signing key ${signer.kid}: run with the API processes' AUTH_SECRET (nothing was changed)`,
          );
        }
      },
    });
    if (!rotation) throw new Error('an unconditional rotation made no key');
    const switching = `API processes sign with it within ${KEY_REFRESH_MS / 1000} s`;
    process.stdout.write(
      rotation.retired
        ? `new signing key ${rotation.signing} (${switching}); ${rotation.retired.kid} verifies until ${iso(rotation.retired.verifiesUntil)}\n`
        : `new signing key ${rotation.signing} (${switching}); there was none before\n`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

/** `kid  created  retired  status`, the signing key first, then newest first. */
export function formatSigningKeys(keys: readonly StoredSigningKey[], now: Date): string {
  const header = ['kid', 'created', 'retired', 'status'];
  const rows = keys.map((key) => {
    const status = keyStatus(key, now);
    return [
      key.kid,
      iso(key.createdAt),
      key.retiredAt ? iso(key.retiredAt) : '-',
      status === 'verifying' && key.verifiesUntil ? `verifying until ${iso(key.verifiesUntil)}` : status,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    ...rows.map(line),
    ...(rows.length === 0 ? ['(none yet: the API makes the first on start)'] : []),
  ].join('\n');
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function checkDatabase(pool: pg.Pool, where: string): Promise<void> {
  const { rows } = await pool
    .query<{ present: boolean }>("select to_regclass('access_token_signing_keys') is not null as present")
    .catch((error: unknown) => {
      throw new OperatorError(
        `cannot reach PostgreSQL at ${where}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  if (!rows[0]?.present) {
    throw new OperatorError(`${where} has no access_token_signing_keys table: run chronicle migrate first`);
  }
}

/** The secret the API seals keys with; never a new random one, which no API process would share. */
async function apiAuthSecret(config: Config): Promise<Uint8Array> {
  const file = path.join(config.DATA_DIR, AUTH_SECRET_FILE);
  try {
    const secret = await existingAuthSecret(config, config.DATA_DIR);
    if (secret) return secret;
  } catch (error) {
    if (error instanceof ConfigError) throw new OperatorError(`AUTH_SECRET ${error.issues[0]?.message}`, 2);
    throw error;
  }
  throw new OperatorError(
    `AUTH_SECRET is unset and ${file} does not exist: run with the API processes' AUTH_SECRET, which seals the signing keys`,
    2,
  );
}
