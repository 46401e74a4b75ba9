import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.ts';
import { locateMailpit, startMailpit } from '../../src/infra/mailpit.ts';
import { startTemporalDevServer } from '../../src/infra/temporal-dev-server.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from './ports.ts';
import { findRedisServer, startRedisServer } from './redis-server.ts';
import { findSeaweedfs, startSeaweedfs } from './seaweedfs-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance-database URL of the run's PostgreSQL; tests make their own database from it. */
    pgAdminUrl: string;
    /** host:port of the run's Temporal dev server (headless, SQLite in a temporary directory). */
    temporalAddress: string;
    /** URL of the run's Redis, or '' when `redis-server` is not installed (tests needing it skip). */
    redisUrl: string;
    /**
     * The run's S3-compatible server (SeaweedFS, credentials required), or an empty endpoint when
     * it is not built (`scripts/bootstrap.mjs --test` builds it; tests needing it skip).
     */
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string };
    /**
     * The run's Mailpit (SMTP and its HTTP API; see test/support/mailpit.ts), or empty strings when
     * it is not built (`scripts/bootstrap.mjs` builds it; tests needing it skip).
     */
    mailpit: { smtpUrl: string; apiUrl: string };
  }
}

export default async function setup(project: TestProject) {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', { component: 'test-harness' });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-test-'));
  // As root the server runs as `postgres`, which must be able to enter the directory.
  await chmod(dataDir, 0o755);
  const redisBinary = findRedisServer();
  const seaweedfsBinary = findSeaweedfs();
  const mailpitBinary = locateMailpit();
  // Started side by side: the run waits for the slowest, not for the sum.
  const [postgres, temporal, redis, seaweedfs, mailpit] = await Promise.allSettled([
    freePort().then((port) => startEmbeddedPostgres({ dataDir, port, log })),
    freePort().then((port) => startTemporalDevServer({ dataDir, port, log })),
    redisBinary ? freePort().then((port) => startRedisServer(redisBinary, port)) : Promise.resolve(undefined),
    seaweedfsBinary ? startSeaweedfs(seaweedfsBinary, dataDir) : Promise.resolve(undefined),
    mailpitBinary
      ? distinctFreePorts(2).then(([smtpPort = 0, httpPort = 0]) =>
          startMailpit({
            binary: mailpitBinary,
            smtpPort,
            httpPort,
            databaseFile: path.join(dataDir, 'mailpit', 'mailpit.db'),
            log,
          }),
        )
      : Promise.resolve(undefined),
  ]);
  const stopAll = async () => {
    await Promise.allSettled([
      // Discarded, not only stopped: as root the cluster may live outside dataDir (see clusterDirFor).
      postgres.status === 'fulfilled' ? postgres.value.discard() : undefined,
      ...[temporal, redis, seaweedfs, mailpit].map((started) =>
        started.status === 'fulfilled' && started.value ? started.value.stop() : undefined,
      ),
    ]);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    project.provide('pgAdminUrl', settledValue(postgres).adminUrl);
    project.provide('temporalAddress', settledValue(temporal).address);
    project.provide('redisUrl', settledValue(redis)?.url ?? '');
    const s3 = settledValue(seaweedfs);
    project.provide('s3', {
      endpoint: s3?.endpoint ?? '',
      accessKeyId: s3?.accessKeyId ?? '',
      secretAccessKey: s3?.secretAccessKey ?? '',
    });
    const mail = settledValue(mailpit);
    project.provide('mailpit', { smtpUrl: mail?.smtpUrl ?? '', apiUrl: mail?.uiUrl ?? '' });
  } catch (error) {
    await stopAll();
    throw error;
  }

  return stopAll;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
