import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

const run = promisify(execFile);

/** The system user the server runs as when Chronicle runs as root (PostgreSQL refuses root). */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

export const SERVER_USER_NAME = 'postgres';

/** Undefined when not root: the server then runs as whoever runs Chronicle. */
export async function serverUser(log: Logger): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(SERVER_USER_NAME);
  if (existing) return existing;
  log.info({ user: SERVER_USER_NAME }, 'creating the system user PostgreSQL runs as');
  try {
    await run('groupadd', ['--system', SERVER_USER_NAME]).catch(async (error) => {
      // Exit code 9: the group exists already (a user was removed, its group was not).
      if ((error as { code?: number }).code !== 9) throw error;
    });
    await run('useradd', ['--system', '--gid', SERVER_USER_NAME, '--no-create-home', SERVER_USER_NAME]);
  } catch (error) {
    throw new EmbeddedPostgresError(
      'POSTGRES_USER_MISSING',
      `PostgreSQL will not run as root and there is no "${SERVER_USER_NAME}" user (making one failed: ${firstLine(error)}); create it (useradd --system ${SERVER_USER_NAME}), run Chronicle as another user, or set DATABASE_URL`,
    );
  }
  const made = await lookUp(SERVER_USER_NAME);
  if (!made) {
    throw new EmbeddedPostgresError(
      'POSTGRES_USER_MISSING',
      `the "${SERVER_USER_NAME}" user was created but cannot be looked up; check /etc/passwd, or set DATABASE_URL`,
    );
  }
  return made;
}

async function lookUp(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `user` can search (directories) or execute (files) every path, asked of the kernel as that
 * user rather than worked out from modes: ACLs, groups and every parent directory count, exactly as
 * they will for the server. Without a user (not root) the answer is yes: we run it ourselves.
 */
export async function canReach(user: ServerUser | undefined, paths: readonly string[]): Promise<boolean> {
  if (!user) return true;
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'for p; do [ -x "$p" ] || exit 1; done', 'sh', ...paths], {
      uid: user.uid,
      gid: user.gid,
      cwd: '/',
      stdio: 'ignore',
    });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** Options that make a child process run as the server's user (nothing when not root). */
export const asServerUser = (user: ServerUser | undefined) =>
  user ? { uid: user.uid, gid: user.gid, cwd: '/' } : {};

export function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text =
    typeof stderr === 'string' && stderr.trim() ? stderr : String((error as Error)?.message ?? error);
  return text.trim().split('\n')[0] ?? 'unknown error';
}
