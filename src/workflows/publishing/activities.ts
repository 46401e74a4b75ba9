import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { createAiActivities } from './ai-activities.ts';
import { createCommandActivities } from './command-activities.ts';
import { createDeliveryActivities } from './delivery-activities.ts';
import { recordingAttempts } from './recorded-deliveries.ts';

/**
 * The publishing saga's activities, as closures over their dependencies. Each acts through the
 * command pipeline with an id derived from the saga and the step, so Temporal may run any of them
 * again (a retry, a worker that died before reporting back) without appending anything twice.
 */
export function createPublishingActivities(deps: PublishingDeps) {
  const deliveries = createDeliveryActivities(deps);
  return {
    ...createCommandActivities(deps),
    ...createAiActivities(deps),
    ...deliveries,
    deliverWebhook: recordingAttempts(deps, deliveries.deliverWebhook),
  };
}

export type PublishingActivities = ReturnType<typeof createPublishingActivities>;
