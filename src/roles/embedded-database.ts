import { chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../infra/embedded-postgres.ts';
import { EmbeddedPostgresError } from '../infra/embedded-postgres-error.ts';
import type { Logger } from '../logger.ts';
import { ensureDataDir } from './data-dir.ts';
import { OperatorError } from './dev-lock.ts';

export const EMBEDDED_POSTGRES_PORT = 54329;
export const DATABASE_NAME = 'chronicle';

export interface EmbeddedDatabase {
  server: EmbeddedPostgresHandle;
  url: string;
}

/** The embedded cluster under DATA_DIR with Chronicle's database in it (created on first start). */
export async function startEmbeddedDatabase(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedDatabase> {
  await ensureDataDir(dataDir);
  // As root PostgreSQL runs as `postgres`, which must be able to enter DATA_DIR to reach its cluster
  // (when a parent directory still keeps it out, the cluster is placed elsewhere and linked).
  if (userInfo().uid === 0) await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    log: log.child({ component: 'postgres' }),
  }).catch((error: unknown) => {
    // What the operator must change is all there is to say: one line, no stack.
    throw error instanceof EmbeddedPostgresError ? new OperatorError(error.message) : error;
  });
  try {
    await server.createDatabase(DATABASE_NAME);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, url: server.urlFor(DATABASE_NAME) };
}
