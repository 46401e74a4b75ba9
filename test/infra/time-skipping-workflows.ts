import { proxyActivities, sleep } from '@temporalio/workflow';

/** Workflows for test/infra/time-skipping.int.test.ts (bundled for the workflow sandbox). */
export interface ClockActivities {
  /** The time the workflow passes in, echoed by an activity: proves activities see workflow time. */
  note(label: string, workflowTime: number): Promise<void>;
}

const { note } = proxyActivities<ClockActivities>({ startToCloseTimeout: '10 seconds' });

/** Sleeps `hours` on a durable timer, noting the workflow clock before and after. */
export async function sleepForHours(hours: number): Promise<{ startedAt: number; wokeAt: number }> {
  const startedAt = Date.now();
  await note('before', startedAt);
  await sleep(hours * 3_600_000);
  const wokeAt = Date.now();
  await note('after', wokeAt);
  return { startedAt, wokeAt };
}
