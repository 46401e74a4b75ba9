import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { CLI, cleanEnv, runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';
import { processesMentioning } from '../support/process-tree.ts';

async function emptyDatabase(): Promise<string> {
  const url = new URL(inject('pgAdminUrl'));
  const name = `roles_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

describe('chronicle migrate', () => {
  it('applies the migrations to DATABASE_URL, and a second run finds nothing to do', async () => {
    const databaseUrl = await emptyDatabase();
    expect((await runCli(['migrate'], { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' })).code).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const applied = await client.query<{ n: number }>('select count(*)::int as n from pgmigrations');
      expect(applied.rows[0]?.n).toBeGreaterThan(0);
      expect((await runCli(['migrate'], { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' })).code).toBe(0);
      const again = await client.query<{ n: number }>('select count(*)::int as n from pgmigrations');
      expect(again.rows).toEqual(applied.rows);
    } finally {
      await client.end();
    }
  });

  it('without DATABASE_URL, migrates the embedded cluster under DATA_DIR and stops it again', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-migrate-'));
    try {
      const result = await runCli(['migrate', `--postgres-port=${await freePort()}`], {
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      });
      expect(result.code).toBe(0);
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(processesMentioning(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('chronicle api', () => {
  it('becomes ready against PostgreSQL and Temporal, and exits 0 soon after SIGTERM', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: await freshDatabase('roles'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUTH_SECRET: 'roles-test-secret-of-at-least-32-characters',
    };
    const child = spawn(process.execPath, [CLI, 'api'], { env: cleanEnv(env), stdio: 'ignore' });
    const exited = once(child, 'exit');
    try {
      let status: number | undefined;
      for (let attempt = 0; attempt < 80 && status !== 200; attempt++) {
        status = (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status;
        if (status !== 200) await sleep(250);
      }
      expect(status).toBe(200);

      const started = Date.now();
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('chronicle projector --only', () => {
  it('runs just the named projections, and names the known ones when given an unknown one', async () => {
    const databaseUrl = await freshDatabase('roles');
    const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    const unknown = await runCli(['projector', '--only', 'users,nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope');
    expect(unknown.stderr).toContain('video_posts');

    const child = spawn(process.execPath, [CLI, 'projector', '--only', 'users, video_posts'], {
      env: cleanEnv(env),
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const names = async () =>
        (await client.query<{ name: string }>('select name from projection_state order by name')).rows.map(
          (row) => row.name,
        );
      await vi.waitFor(async () => expect(await names()).toEqual(['users', 'video_posts']), {
        timeout: 20_000,
        interval: 200,
      });
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      await client.end();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
