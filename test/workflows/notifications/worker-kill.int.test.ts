import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { notificationIdFor } from '../../../src/domain/notifications/streams.ts';
import { TEST_AUTH_SECRET } from '../../api/support/identity-app.ts';
import { cleanEnv } from '../../support/cli.ts';
import { mailpitMessages } from '../../support/mailpit.ts';
import { freePort } from '../../support/ports.ts';
import {
  deliveriesOf,
  EMAIL_FROM,
  follow,
  type NotificationHarness,
  PUBLIC_URL,
  person,
  sagaFinished,
  setPreferences,
  startNotificationHarness,
  subscribedDevice,
} from './support/harness.ts';

const WORKER_PROCESS = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));
const hasMailpit = inject('mailpit').smtpUrl !== '';

let h: NotificationHarness;
let bundleDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await startNotificationHarness();
  // No worker in this process at first: the saga runs on the one that will be killed.
  await h.stopWorkers();
  bundleDir = await mkdtemp(path.join(tmpdir(), 'chronicle-notifications-bundle-'));
  await writeFile(path.join(bundleDir, 'workflows.js'), h.bundle.code);
}, 120_000);
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** A notifications worker in a child process (same bundle, database, queue and keys), once it polls. */
async function spawnWorker(options: { smtpUrl?: string } = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PROCESS], {
    env: cleanEnv({
      DATABASE_URL: h.api.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: h.taskQueue,
      BUNDLE_PATH: path.join(bundleDir, 'workflows.js'),
      AUTH_SECRET: TEST_AUTH_SECRET,
      SMTP_URL: options.smtpUrl ?? h.mailpit.smtpUrl,
      EMAIL_FROM,
      PUBLIC_URL,
      VAPID_PUBLIC_KEY: h.vapid.publicKey,
      VAPID_PRIVATE_KEY: h.vapid.privateKey,
      VAPID_SUBJECT: h.vapid.subject,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the worker process exited early:\n${output}`);
      expect(output).toContain('ready');
    },
    { timeout: 30_000, interval: 50 },
  );
  return child;
}

describe('a notifications worker killed mid-send', () => {
  it.skipIf(!hasMailpit)(
    'leaves exactly one push and one e-mail: the send in flight is settled unknown, never repeated',
    async () => {
      const ada = await person(h, 'Ada');
      const ben = await person(h, 'Ben');
      // The push service takes the first push but answers only after 20 s: the worker dies waiting.
      const arrivals: number[] = [];
      const device = await subscribedDevice(h, ada.id, {
        responder: (attempt) => {
          arrivals.push(attempt);
          return attempt === 0 ? { status: 201, delayMs: 20_000 } : { status: 201 };
        },
      });
      await setPreferences(h, ada.id, { channels: { new_follower: { email: true } } });
      const doomed = await spawnWorker();
      const followed = await follow(h, ben.id, ada.id);
      const id = notificationIdFor(followed.id, ada.id);

      // The e-mail went out and was settled; the push has reached the service and waits for its answer.
      await vi.waitFor(
        async () => {
          expect(arrivals).toHaveLength(1);
          const rows = await deliveriesOf(h, id);
          expect(rows.map((row) => [row.channel, row.state])).toEqual([
            ['push', 'sending'],
            ['email', 'sent'],
          ]);
        },
        { timeout: 30_000, interval: 50 },
      );
      doomed.kill('SIGKILL');
      await new Promise((resolve) => doomed.once('exit', resolve));

      await h.startWorker();
      await sagaFinished(h, followed.id);

      expect(
        (await deliveriesOf(h, id)).map((row) => [row.channel, row.state, row.attempts, row.reason]),
      ).toEqual([
        ['push', 'unknown', 1, 'the worker stopped while sending: it may or may not have gone out'],
        ['email', 'sent', 1, null],
      ]);
      expect(arrivals).toEqual([0]);
      expect(h.push.attempts.filter((m) => m.endpointId === device.subscription.endpointId)).toEqual([]);
      const emails = await mailpitMessages(h.mailpit.apiUrl, { to: ada.email });
      expect(emails.map((email) => email.messageId)).toEqual([`${id}.email@chronicle`]);
    },
    120_000,
  );

  it.skipIf(!hasMailpit)(
    'leaves exactly one e-mail when killed while the SMTP server holds its answer to the message',
    async () => {
      const ada = await person(h, 'Ada');
      const ben = await person(h, 'Ben');
      // An SMTP server that reads the whole message after DATA and answers only after 20 s: the
      // worker dies waiting for the answer, with the message already in the server's hands.
      const taken: string[] = [];
      const smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData: (stream, _session, done) => {
          let message = '';
          stream.on('data', (chunk: Buffer) => {
            message += chunk.toString();
          });
          stream.on('end', () => {
            taken.push(/^Message-ID: <([^>]+)>/im.exec(message)?.[1] ?? '?');
            setTimeout(() => done(), 20_000).unref();
          });
        },
      });
      // The dying worker's connection goes away under the server: nothing to report.
      smtp.on('error', () => {});
      const port = await freePort();
      await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
      try {
        await setPreferences(h, ada.id, { channels: { new_follower: { email: true } } });
        // Only the worker that will be killed polls (the previous test left one in this process).
        await h.stopWorkers();
        const doomed = await spawnWorker({ smtpUrl: `smtp://127.0.0.1:${port}` });
        const followed = await follow(h, ben.id, ada.id);
        const id = notificationIdFor(followed.id, ada.id);

        await vi.waitFor(
          async () => {
            expect(taken).toHaveLength(1);
            expect((await deliveriesOf(h, id)).map((row) => [row.channel, row.state])).toEqual([
              ['email', 'sending'],
            ]);
          },
          { timeout: 30_000, interval: 50 },
        );
        doomed.kill('SIGKILL');
        await new Promise((resolve) => doomed.once('exit', resolve));

        // The new worker (this process, sending through Mailpit) finds the row still 'sending'.
        await h.startWorker();
        await sagaFinished(h, followed.id);

        const [row, ...more] = await deliveriesOf(h, id);
        expect(more).toEqual([]);
        expect(row).toMatchObject({ channel: 'email', attempts: 1 });
        expect(['unknown', 'sent']).toContain(row?.state);
        expect(taken).toEqual([`${id}.email@chronicle`]);
        expect(await mailpitMessages(h.mailpit.apiUrl, { to: ada.email })).toEqual([]);
      } finally {
        await new Promise<void>((resolve) => smtp.close(() => resolve()));
      }
    },
    120_000,
  );
});
