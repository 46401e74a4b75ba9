/**
 * A Temporal worker in a process of its own, for the test that kills it with SIGKILL mid-saga:
 * the production activities (local AI provider) against DATABASE_URL, the workflow bundle the
 * test process built (BUNDLE_PATH), polling TASK_QUEUE, delivering where OUTBOUND_ALLOW_INTERNAL
 * allows. Prints `ready` once it polls.
 * Run: node --import tsx worker-process.ts
 */
import { readFile } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import { createAiProvider } from '../../../../src/ai/create-ai-provider.ts';
import { loadConfig } from '../../../../src/config.ts';
import { createLogger } from '../../../../src/logger.ts';
import { outboundPolicy } from '../../../../src/net/outbound-policy.ts';
import { openRuntime } from '../../../../src/roles/runtime.ts';
import { createPublishingActivities } from '../../../../src/workflows/publishing/activities.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import { createWorker } from '../../../../src/workflows/worker.ts';

const { DATABASE_URL, TEMPORAL_ADDRESS, TASK_QUEUE, BUNDLE_PATH, AUTH_SECRET } = process.env;
if (!DATABASE_URL || !TEMPORAL_ADDRESS || !TASK_QUEUE || !BUNDLE_PATH || !AUTH_SECRET) {
  throw new Error('DATABASE_URL, TEMPORAL_ADDRESS, TASK_QUEUE, BUNDLE_PATH and AUTH_SECRET are required');
}
const log = createLogger(process.env.LOG_LEVEL ?? 'silent');
installTemporalRuntime(log);
const config = loadConfig({
  DATABASE_URL,
  AUTH_SECRET,
  DATA_DIR: '/nonexistent-chronicle-test',
  OUTBOUND_ALLOW_INTERNAL: process.env.OUTBOUND_ALLOW_INTERNAL,
});
const runtime = await openRuntime(config, log, DATABASE_URL);
const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
const worker = await createWorker({
  connection,
  taskQueue: TASK_QUEUE,
  workflows: { bundle: { code: await readFile(BUNDLE_PATH, 'utf8'), sourceMap: '' } },
  activities: createPublishingActivities({
    store: runtime.store,
    codec: runtime.codec,
    log,
    ai: createAiProvider({}),
    authSecret: new TextEncoder().encode(AUTH_SECRET),
    outbound: outboundPolicy(config.OUTBOUND_ALLOW_INTERNAL),
  }),
});
const running = worker.run();
process.stdout.write('ready\n');
await running;
await connection.close();
await runtime.close();
