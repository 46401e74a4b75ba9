import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.ts';
import { migrate } from '../../src/infra/migrate.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * A fresh, migrated database for a benchmark: on DATABASE_URL's server when set (a database
 * named after the benchmark is created there), otherwise on a throw-away embedded PostgreSQL.
 */
export async function benchDatabase(
  name: string,
): Promise<{ url: string; version: string; stop(): Promise<void> }> {
  const log = createLogger('warn', { component: 'bench' });
  let stop = async () => {};
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'chronicle-bench-'));
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: dir,
      port: 55000 + Math.floor(Math.random() * 5000),
      log,
    });
    adminUrl = server.adminUrl;
    stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const database = `bench_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${pg.escapeIdentifier(database)}`);
  const version =
    (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await migrate(url.toString(), log);
  return { url: url.toString(), version, stop };
}
