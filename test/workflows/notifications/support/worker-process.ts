/**
 * A notifications worker in a process of its own, for the test that kills it with SIGKILL in the
 * middle of a send: the production notification activities (the real push sender and mailer)
 * against DATABASE_URL, the workflow bundle the test process built (BUNDLE_PATH), polling
 * TASK_QUEUE. Prints `ready` once it polls.
 * Run: node --import tsx worker-process.ts
 */
import { readFile } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../../../src/config.ts';
import { createLogger } from '../../../../src/logger.ts';
import { outboundPolicy } from '../../../../src/net/outbound-policy.ts';
import { createMailer } from '../../../../src/notifications/email/mailer.ts';
import { createPushSender } from '../../../../src/notifications/push/push-sender.ts';
import { openRuntime } from '../../../../src/roles/runtime.ts';
import { createNotificationActivities } from '../../../../src/workflows/notifications/activities.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import { createWorker } from '../../../../src/workflows/worker.ts';

const {
  DATABASE_URL,
  TEMPORAL_ADDRESS,
  TASK_QUEUE,
  BUNDLE_PATH,
  AUTH_SECRET,
  SMTP_URL,
  EMAIL_FROM,
  PUBLIC_URL,
} = process.env;
const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT } = process.env;
if (
  !DATABASE_URL ||
  !TEMPORAL_ADDRESS ||
  !TASK_QUEUE ||
  !BUNDLE_PATH ||
  !AUTH_SECRET ||
  !SMTP_URL ||
  !EMAIL_FROM ||
  !PUBLIC_URL ||
  !VAPID_PUBLIC_KEY ||
  !VAPID_PRIVATE_KEY ||
  !VAPID_SUBJECT
) {
  throw new Error(
    'DATABASE_URL, TEMPORAL_ADDRESS, TASK_QUEUE, BUNDLE_PATH, AUTH_SECRET, SMTP_URL, EMAIL_FROM, PUBLIC_URL and VAPID_* are required',
  );
}
const log = createLogger(process.env.LOG_LEVEL ?? 'silent');
installTemporalRuntime(log);
const config = loadConfig({ DATABASE_URL, AUTH_SECRET, DATA_DIR: '/nonexistent-chronicle-test' });
const runtime = await openRuntime(config, log, DATABASE_URL);
const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
const outbound = outboundPolicy(['127.0.0.1']);
const worker = await createWorker({
  connection,
  taskQueue: TASK_QUEUE,
  workflows: { bundle: { code: await readFile(BUNDLE_PATH, 'utf8'), sourceMap: '' } },
  activities: createNotificationActivities({
    store: runtime.store,
    codec: runtime.codec,
    log,
    pool: runtime.pool,
    bus: runtime.bus,
    push: createPushSender({
      vapid: { publicKey: VAPID_PUBLIC_KEY, privateKey: VAPID_PRIVATE_KEY, subject: VAPID_SUBJECT },
      outbound,
      log,
    }),
    mailer: createMailer({ smtpUrl: SMTP_URL, from: EMAIL_FROM, log }),
    publicUrl: PUBLIC_URL,
    authSecret: new TextEncoder().encode(AUTH_SECRET),
  }),
});
const running = worker.run();
process.stdout.write('ready\n');
await running;
await connection.close();
await runtime.close();
