/**
 * A transcoding worker in a process of its own, for the test that kills it with SIGKILL in the
 * middle of a rendition: the transcoding activities against DATABASE_URL and the storage directory
 * STORAGE_ROOT, the workflow bundle the test process built (BUNDLE_PATH), polling TASK_QUEUE, with
 * the x264 preset PRESET. Prints `ready` once it polls.
 * Run: node --import tsx worker-process.ts
 */
import { readFile } from 'node:fs/promises';
import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { createEventCodec } from '../../../../src/commands/event-codec.ts';
import { PostgresEventStore } from '../../../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../../../src/logger.ts';
import { localRulesModerator } from '../../../../src/media/moderation/local-rules.ts';
import { PostgresPersonalDataKeys } from '../../../../src/privacy/postgres-personal-data-keys.ts';
import { createLocalStorage } from '../../../../src/storage/local-storage.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import { createTranscodingActivities } from '../../../../src/workflows/transcoding/activities.ts';

const { DATABASE_URL, TEMPORAL_ADDRESS, TASK_QUEUE, BUNDLE_PATH, STORAGE_ROOT, PRESET } = process.env;
if (!DATABASE_URL || !TEMPORAL_ADDRESS || !TASK_QUEUE || !BUNDLE_PATH || !STORAGE_ROOT) {
  throw new Error('DATABASE_URL, TEMPORAL_ADDRESS, TASK_QUEUE, BUNDLE_PATH and STORAGE_ROOT are required');
}
const log = createLogger(process.env.LOG_LEVEL ?? 'silent');
installTemporalRuntime(log);
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
const store = new PostgresEventStore({ connectionString: DATABASE_URL, pool, log, pollIntervalMs: 50 });
const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
const worker = await Worker.create({
  connection,
  taskQueue: TASK_QUEUE,
  workflowBundle: { code: await readFile(BUNDLE_PATH, 'utf8') },
  activities: createTranscodingActivities({
    store,
    codec: createEventCodec(new PostgresPersonalDataKeys(pool)),
    log,
    storage: createLocalStorage(STORAGE_ROOT),
    moderator: localRulesModerator(),
    media: { preset: PRESET ?? 'ultrafast', threads: 1 },
  }),
  maxConcurrentActivityTaskExecutions: 2,
});
const running = worker.run();
process.stdout.write(`ready ${process.pid}\n`);
await running;
await connection.close();
await store.close();
await pool.end();
