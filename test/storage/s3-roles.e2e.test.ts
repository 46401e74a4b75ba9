import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CLI, cleanEnv, runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';

const s3 = inject('s3');

/** `chronicle api` as a real process with S3_* set: the bucket is made at start, or start-up stops. */
describe.skipIf(!s3.endpoint)('chronicle api with S3 media storage', () => {
  const admin = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const bucket = `chronicle-role-${randomUUID().slice(0, 8)}`;
  const s3Env = (secret: string) => ({
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: secret,
    S3_FORCE_PATH_STYLE: 'true',
  });
  afterAll(async () => {
    await admin.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    admin.destroy();
  });

  it('does not start, and logs why naming the bucket, when S3 does not take the credentials', async () => {
    const result = await runCli(['api'], {
      DATABASE_URL: await freshDatabase('s3roles'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PORT: String(await freePort()),
      LOG_LEVEL: 'error',
      LOG_FORMAT: 'json',
      AUTH_SECRET: 'roles-test-secret-of-at-least-32-characters',
      ...s3Env('not-the-secret'),
    });
    expect(result.code).toBe(1);
    const failures = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; err?: { message?: string } })
      .filter((entry) => entry.msg === 'API failed to start');
    expect(failures.map((entry) => entry.err?.message)).toEqual([
      `S3 refused access to bucket ${bucket} at ${s3.endpoint} (check the credentials)`,
    ]);
  }, 30_000);

  it('makes the missing bucket and becomes ready', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: await freshDatabase('s3roles'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUTH_SECRET: 'roles-test-secret-of-at-least-32-characters',
      ...s3Env(s3.secretAccessKey),
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
      await admin.send(new HeadBucketCommand({ Bucket: bucket }));
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
