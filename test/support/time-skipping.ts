import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../src/logger.ts';
import { installTemporalRuntime } from '../../src/workflows/temporal-runtime.ts';

/**
 * Temporal's time-skipping test server: a Temporal frontend (Java) whose clock jumps ahead to the
 * next timer whenever every workflow is waiting on one, so a workflow that sleeps for hours
 * finishes in seconds while its timers still fire in order, as durable timers. `@temporalio/testing`
 * would download the server from the internet; `scripts/bootstrap.mjs --test` fetches its jars
 * from Maven Central instead (scripts/temporal-test-server/pom.xml) and writes a wrapper script.
 */
const SERVER = path.resolve(
  import.meta.dirname,
  '../../.tools/temporal-test-server/bin/temporal-test-server',
);

/** The wrapper `bootstrap.mjs --test` writes, or undefined when it is not there (tests needing it skip). */
export function findTimeSkippingServer(): string | undefined {
  try {
    accessSync(SERVER, constants.X_OK);
    return SERVER;
  } catch {
    return undefined;
  }
}

/**
 * A fresh time-skipping environment (its own server process on a free port; `teardown()` stops
 * it). Guard the suite with `describe.skipIf(!findTimeSkippingServer())`: without the server this
 * throws, saying how to get it.
 */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const server = findTimeSkippingServer();
  if (!server) {
    throw new Error(
      'the time-skipping test server is not installed: run `node scripts/bootstrap.mjs --test` (needs java and mvn)',
    );
  }
  // Before the first connection: the SDK's logs go through pino at the run's level, not to stdout.
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', { component: 'time-skipping' }));
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: server } },
  });
}
