import type { Config } from '../config.ts';
import { migrate } from '../infra/migrate.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedDatabase } from './embedded-database.ts';

/** `chronicle migrate`: DATABASE_URL if set, else the embedded cluster under DATA_DIR (started and stopped). */
export async function runMigrate(config: Config, log: Logger, postgresPort: number): Promise<number> {
  if (config.DATABASE_URL) {
    await migrate(config.DATABASE_URL, log.child({ component: 'migrate' }));
    return 0;
  }
  const database = await startEmbeddedDatabase(config.DATA_DIR, postgresPort, log);
  try {
    await migrate(database.url, log.child({ component: 'migrate' }));
  } finally {
    await database.server.stop();
  }
  return 0;
}
