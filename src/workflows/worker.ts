import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Logger } from '../logger.ts';
import { TEMPORAL_NAMESPACE } from './temporal-connection.ts';
import { temporalLogger } from './temporal-runtime.ts';

/** The module that exports every workflow (the TypeScript source: the bundler compiles it). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.ts', import.meta.url));

/**
 * Builds the workflow bundle once (webpack + swc, a few seconds), to share between the workers of
 * every task queue. The same code runs under tsx (`chronicle`) and vitest: webpack reads the .ts
 * sources itself, and Temporal's webpack config already resolves this codebase's `.ts` import
 * specifiers (exact file names) and `.js` ones to `.ts` (`extensionAlias`). Importing a Node
 * built-in or an I/O module from workflow code fails the build here, not at run time.
 */
export function bundleWorkflows(workflowsPath: string, log: Logger): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: temporalLogger(log.child({ component: 'workflow-bundler' }), { demote: true }),
  });
}

export interface WorkerOptions {
  connection: NativeConnection;
  taskQueue: string;
  /** Workflows: a bundle built by `bundleWorkflows`, or the path of a module to bundle now. */
  workflows: { bundle: WorkflowBundleWithSourceMap } | { path: string };
  /** From `createActivities(deps)`, or a test's own. */
  activities: object;
  namespace?: string;
  /** How long in-flight activities may finish on shutdown before they are cancelled. */
  shutdownGraceMs?: number;
  /** After this, shutdown gives up on activities that ignore cancellation. */
  shutdownForceMs?: number;
  /** Activities run at once on this queue (Temporal's default: 100). */
  maxConcurrentActivities?: number;
}

/**
 * A Temporal worker polling one task queue. Run it with `worker.run()` (resolves once shut down)
 * and stop it with `worker.shutdown()`; the defaults fit the 10 s a role has to stop.
 */
export function createWorker(options: WorkerOptions): Promise<Worker> {
  const { workflows } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? TEMPORAL_NAMESPACE,
    taskQueue: options.taskQueue,
    ...('bundle' in workflows ? { workflowBundle: workflows.bundle } : { workflowsPath: workflows.path }),
    activities: options.activities,
    shutdownGraceTime: options.shutdownGraceMs ?? 3_000,
    shutdownForceTime: options.shutdownForceMs ?? 6_000,
    ...(options.maxConcurrentActivities
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities }
      : {}),
  });
}

/** Stops a worker started with `run()` and waits for it; a worker that is not running is left alone. */
export async function shutdownWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
