import { createHash } from 'node:crypto';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
} from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { canReach, type ServerUser } from './postgres-server-user.ts';
import { ensureSystemDir } from './postgres-system-dir.ts';

export interface ClusterPlacement {
  user: ServerUser | undefined;
  systemDir: string;
  log: Logger;
  /** Stops a server an earlier run left running on `databaseDir`, before its files are removed. */
  stopLeftover(databaseDir: string): Promise<void>;
}

/**
 * The directory the server is given for DATA_DIR's cluster. Normally `DATA_DIR/postgres`. When the
 * server's user cannot enter DATA_DIR (a DATA_DIR under `/root`, mode 700), the cluster lives in
 * `<systemDir>/clusters/<hash of DATA_DIR>` instead, and `DATA_DIR/postgres` is a link to it, so
 * the data still belongs to DATA_DIR: the next start follows the link, and deleting DATA_DIR to
 * start over (the link with it) makes the next start replace the old cluster with a new one.
 */
export async function clusterDirFor(dataDir: string, placement: ClusterPlacement): Promise<string> {
  const { user } = placement;
  const link = path.join(dataDir, 'postgres');
  const entry = await lstat(link).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = path.resolve(dataDir, await readlink(link));
    await mkdir(target, { recursive: true });
    return realpath(target);
  }
  if (await canReach(user, [dataDir])) return link;
  if (entry && (!entry.isDirectory() || (await holdsCluster(link)))) {
    throw new EmbeddedPostgresError(
      'CLUSTER_UNREACHABLE',
      `user ${user?.name} cannot reach the PostgreSQL cluster in ${link}; move DATA_DIR under a directory it can enter, make the parents of ${dataDir} searchable for it (chmod o+x), or set DATABASE_URL`,
    );
  }
  // A directory without a cluster in it is what an earlier start that could not run initdb left.
  if (entry) await rm(link, { recursive: true, force: true });
  return relocate(dataDir, link, placement);
}

async function relocate(dataDir: string, link: string, placement: ClusterPlacement): Promise<string> {
  await ensureSystemDir(placement.systemDir);
  const clusters = path.join(placement.systemDir, 'clusters');
  if (await mkdir(clusters, { recursive: true })) await chmod(clusters, 0o755);
  const key = createHash('sha256')
    .update(await realpath(dataDir))
    .digest('hex')
    .slice(0, 24);
  const databaseDir = path.join(clusters, key);
  if (await lstat(databaseDir).catch(() => undefined)) {
    // The cluster of an earlier DATA_DIR at this path whose link has gone: with the whole DATA_DIR
    // (a fresh start) or alone (a restore that dropped links). It is set aside, never deleted, since
    // it may be the only copy of the data.
    await placement.stopLeftover(databaseDir);
    const aside = `${databaseDir}.set-aside-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(databaseDir, aside);
    placement.log.warn(
      { databaseDir, aside },
      `DATA_DIR had no link to its PostgreSQL cluster: starting a new one; the earlier cluster is kept in ${aside} (delete it if it is not wanted)`,
    );
  }
  await mkdir(databaseDir, { mode: 0o700 });
  if (placement.user) await chown(databaseDir, placement.user.uid, placement.user.gid);
  await symlink(databaseDir, link);
  placement.log.info(
    { dataDir, databaseDir },
    `user ${placement.user?.name} cannot enter DATA_DIR; its PostgreSQL cluster lives in ${databaseDir}, linked from ${link}`,
  );
  return databaseDir;
}

async function holdsCluster(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch((): string[] => []);
  return names.includes('PG_VERSION');
}
