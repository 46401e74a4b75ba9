import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { EventCodec } from '../../../../src/commands/event-codec.ts';
import type { EventStore } from '../../../../src/eventstore/port.ts';
import type { Logger } from '../../../../src/logger.ts';
import { localRulesModerator } from '../../../../src/media/moderation/local-rules.ts';
import type { ObjectStorage } from '../../../../src/storage/port.ts';
import { createProcessManager } from '../../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../../../../src/workflows/temporal-connection.ts';
import { createTranscodingActivities } from '../../../../src/workflows/transcoding/activities.ts';
import { transcodingReactions } from '../../../../src/workflows/transcoding/reactions.ts';
import { FAST_SETTINGS, TRANSCODING_WORKFLOWS } from './harness.ts';

type Pool = Parameters<typeof createProcessManager>[0]['pool'];

/**
 * The transcoding saga as end-to-end tests run it: a Temporal worker on a task queue of its own
 * (fast ffmpeg settings) and a process manager starting the saga from the store's events.
 */
export async function startTranscodingPipeline(options: {
  runtime: { store: EventStore; codec: EventCodec; pool: Pool };
  storage: ObjectStorage;
  log: Logger;
  /** Names the task queue, so a test's workflows are easy to find in the Temporal UI. */
  name: string;
}): Promise<{ stop(): Promise<void> }> {
  const { runtime, storage, log } = options;
  const { store, codec, pool } = runtime;
  const address = inject('temporalAddress');
  const taskQueue = `test-${options.name}-${randomUUID()}`;
  const [temporal, connection] = await Promise.all([
    connectTemporalClient(address),
    NativeConnection.connect({ address }),
  ]);
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: TRANSCODING_WORKFLOWS }),
    activities: createTranscodingActivities({
      store,
      codec,
      log,
      storage,
      moderator: localRulesModerator(),
      media: { preset: 'ultrafast', threads: 1 },
    }),
    maxConcurrentActivityTaskExecutions: 2,
    shutdownGraceTime: 500,
  });
  const running = worker.run();
  const processManager = createProcessManager(
    { store, pool, codec, temporal: temporal.client, log },
    transcodingReactions({ taskQueue, settings: FAST_SETTINGS }),
    { name: `pm-${randomUUID()}`, backoffMs: 50, maxBackoffMs: 500 },
  );
  await processManager.start();
  return {
    async stop() {
      await processManager.stop();
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.close();
    },
  };
}
