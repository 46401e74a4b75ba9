import { availableParallelism } from 'node:os';
import { NativeConnection } from '@temporalio/worker';
import { createAiProvider } from '../ai/create-ai-provider.ts';
import { resolveAuthSecret } from '../auth/auth-secret.ts';
import { type Config, ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createMediaModerator } from '../media/moderation/create-moderator.ts';
import { outboundPolicy } from '../net/outbound-policy.ts';
import { createMailer } from '../notifications/email/mailer.ts';
import { createPushSender } from '../notifications/push/push-sender.ts';
import { resolveVapidKeys } from '../notifications/push/vapid-keys.ts';
import { createStorage, type StorageConfig } from '../storage/create-storage.ts';
import { createActivities } from '../workflows/activities.ts';
import { createProcessManager, type ProcessManager } from '../workflows/process-manager/process-manager.ts';
import { reactionsWith } from '../workflows/reactions.ts';
import { TASK_QUEUES } from '../workflows/task-queues.ts';
import { connectTemporalClient } from '../workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../workflows/temporal-runtime.ts';
import { bundleWorkflows, createWorker, shutdownWorker, WORKFLOWS_PATH } from '../workflows/worker.ts';
import { Lifecycle } from './lifecycle.ts';
import { openRuntime, type Runtime } from './runtime.ts';

export interface StartedWorker {
  processManager: ProcessManager;
}

/**
 * The settings the activities need: the AI provider's, the secret webhook signing keys derive
 * from, where webhooks may go, and where media objects live.
 */
export type WorkerConfig = Pick<
  Config,
  | 'AUTH_SECRET'
  | 'DATA_DIR'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_MODEL'
  | 'MATCH_OFFER_TIMEOUT_MS'
  | 'OUTBOUND_ALLOW_INTERNAL'
  | 'SMTP_URL'
  | 'EMAIL_FROM'
  | 'PUBLIC_URL'
  | 'VAPID_PUBLIC_KEY'
  | 'VAPID_PRIVATE_KEY'
  | 'VAPID_SUBJECT'
> &
  StorageConfig;

/**
 * Starts the Temporal worker (one per task queue, sharing one workflow bundle) and the process
 * manager that feeds it, each owned by `lifecycle` as soon as it exists: shutdown stops the
 * process manager first (no new starts), then the workers (in-flight activities get a grace
 * period), then the connections. `onFailure` hears of a worker that dies while running.
 */
export async function startWorker(
  runtime: Runtime,
  log: Logger,
  options: {
    temporalAddress: string;
    lifecycle: Lifecycle;
    onFailure: (error: unknown) => void;
    /** The AI provider's settings and the secret webhook deliveries are signed with. */
    config: WorkerConfig;
  },
): Promise<StartedWorker> {
  const { temporalAddress, lifecycle, onFailure, config } = options;
  const workerLog = log.child({ component: 'worker' });
  installTemporalRuntime(log);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  await lifecycle.own('temporal-worker-connection', () => connection.close());
  const bundle = await bundleWorkflows(WORKFLOWS_PATH, log);
  const media = await createStorage(config, workerLog);
  await lifecycle.own('media-storage', async () => media.close());
  // Without SMTP_URL e-mail is off here: deliveries are settled 'skipped' (npm start passes its Mailpit).
  const mailer = config.SMTP_URL
    ? createMailer({ smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM, log: workerLog })
    : null;
  if (mailer) await lifecycle.own('mailer', async () => mailer.close());
  const outbound = outboundPolicy(config.OUTBOUND_ALLOW_INTERNAL);
  // The API's pair: browsers subscribed with its public key, and push services check the signature.
  const vapid = await resolveVapidKeys(config, config.DATA_DIR);
  const activities = createActivities({
    store: runtime.store,
    codec: runtime.codec,
    log: workerLog,
    ai: createAiProvider(config, { log: workerLog }),
    // The API's secret: receivers verify with the signing key the API shows brand admins.
    authSecret: await resolveAuthSecret(config, config.DATA_DIR),
    outbound,
    storage: media.storage,
    moderator: createMediaModerator(config),
    pool: runtime.pool,
    mailer,
    publicUrl: config.PUBLIC_URL,
    push: createPushSender({ vapid, outbound, log: workerLog }),
    bus: runtime.bus,
  });
  for (const taskQueue of Object.values(TASK_QUEUES)) {
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities,
      // ffmpeg uses a core per rendition: more at once only slows each down.
      ...(taskQueue === TASK_QUEUES.media ? { maxConcurrentActivities: availableParallelism() } : {}),
    });
    const running = worker.run().catch((error: unknown) => {
      workerLog.error({ err: error, taskQueue }, 'Temporal worker failed');
      onFailure(error);
    });
    await lifecycle.own(`worker:${taskQueue}`, () => shutdownWorker(worker, running));
    workerLog.info({ taskQueue, namespace: worker.options.namespace }, 'Temporal worker polling');
  }
  const temporal = await connectTemporalClient(temporalAddress);
  await lifecycle.own('temporal-client', temporal.close);
  const processManager = createProcessManager(
    { store: runtime.store, pool: runtime.pool, codec: runtime.codec, temporal: temporal.client, log },
    reactionsWith({ matching: { offerTimeoutMs: config.MATCH_OFFER_TIMEOUT_MS } }),
  );
  await lifecycle.own('process-manager', () => processManager.stop());
  await processManager.start();
  return { processManager };
}

/** `chronicle worker`: the Temporal worker and the process manager, against DATABASE_URL and TEMPORAL_ADDRESS. */
export async function runWorker(config: Config, log: Logger): Promise<number> {
  const { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress } = config;
  if (!databaseUrl || !temporalAddress) {
    throw new ConfigError([
      ...(databaseUrl ? [] : [{ variable: 'DATABASE_URL', message: 'is required for the worker role' }]),
      ...(temporalAddress
        ? []
        : [{ variable: 'TEMPORAL_ADDRESS', message: 'is required for the worker role' }]),
    ]);
  }
  if (config.AUTH_SECRET === undefined) {
    // A worker elsewhere than the API would sign with a key of its own, which receivers reject.
    log.warn(
      { dataDir: config.DATA_DIR },
      'AUTH_SECRET is unset: webhook deliveries are signed with the key in DATA_DIR, which must be the API’s',
    );
  }
  if (config.VAPID_PUBLIC_KEY === undefined) {
    // Push services refuse a push signed with another pair than the one browsers subscribed with.
    log.warn(
      { dataDir: config.DATA_DIR },
      'VAPID_PUBLIC_KEY is unset: pushes are signed with the pair in DATA_DIR, which must be the API’s',
    );
  }
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  let failed = false;
  const onFailure = () => {
    failed = true;
    void lifecycle.shutdown();
  };
  try {
    const runtime = await openRuntime(config, log, databaseUrl);
    await lifecycle.own('runtime', runtime.close);
    await startWorker(runtime, log, { temporalAddress, lifecycle, onFailure, config });
    if (!lifecycle.isStopping) log.info({ temporalAddress }, 'worker running');
  } catch (error) {
    const interrupted = lifecycle.isStopping;
    await lifecycle.shutdown();
    // A failure caused by our own shutdown (a signal during start-up) is not worth reporting.
    if (interrupted && !failed) return 0;
    log.error({ err: error }, 'worker failed to start');
    return 1;
  }
  await lifecycle.stopped;
  return failed ? 1 : 0;
}
