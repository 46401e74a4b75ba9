import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { NotificationActivities } from './activities.ts';
import { type NotificationDeliverySettings, resolveNotificationDeliverySettings } from './settings.ts';
import type { DeliverNotificationsInput } from './types.ts';

/** Retries of an attempt that could not finish (the database away, a worker killed), without limit. */
const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

function activitiesFor(settings: NotificationDeliverySettings) {
  return {
    // Planning waits for the read model (up to projectionWaitMs) and pages through recipients.
    plan: proxyActivities<NotificationActivities>({
      startToCloseTimeout: settings.projectionWaitMs + 5 * 60_000,
      heartbeatTimeout: settings.projectionWaitMs + 60_000,
      retry: RETRY,
    }),
    // A worker that stops heartbeating died: the next attempt settles what it had in flight
    // 'unknown' and goes on with the rest.
    deliver: proxyActivities<NotificationActivities>({
      startToCloseTimeout: '15 minutes',
      heartbeatTimeout: settings.heartbeatTimeoutMs,
      retry: RETRY,
    }),
  };
}

/**
 * The outbound deliveries (push, e-mail) of the notifications one source event created. Planning
 * writes a `notification_deliveries` row per recipient, channel and device, each due when the
 * recipient's quiet hours allow; then the workflow sends what is due, sleeps (a durable timer)
 * until the next row falls due — a quiet-hours morning, a retry's backoff — and sends again until
 * no row is pending. Recipients and their rows stay in the database: the history holds counts and
 * times only, whether the event notifies one person or ten thousand.
 */
export async function deliverNotifications(input: DeliverNotificationsInput): Promise<void> {
  const { sourceEventId, settings } = input;
  const { plan, deliver } = activitiesFor(resolveNotificationDeliverySettings(settings));
  const now = () => new Date(Date.now()).toISOString();
  let next = input.planned
    ? now()
    : (
        await plan.planNotificationDeliveries({
          sourceEventId,
          position: input.position,
          now: now(),
          ...withSettings(input),
        })
      ).nextDueAt;
  while (next !== null) {
    const wait = Date.parse(next) - Date.now();
    if (wait > 0) await sleep(wait);
    next = (await deliver.deliverDueNotifications({ sourceEventId, now: now(), ...withSettings(input) }))
      .nextDueAt;
    if (next !== null && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof deliverNotifications>({
        ...input,
        planned: true,
        ...(settings ? { settings } : {}),
      });
    }
  }
}

const withSettings = (input: DeliverNotificationsInput) =>
  input.settings ? { settings: input.settings } : {};
