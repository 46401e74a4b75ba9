import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/infra/migrate.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * A new, migrated database on the run's PostgreSQL: each test file gets its own, so files can run
 * in parallel or alone and never see each other's rows.
 */
export async function freshDatabase(prefix = 'test'): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString(), createLogger('warn', { component: 'test-migrate' }));
  return url.toString();
}
