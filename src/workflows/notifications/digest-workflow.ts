import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotificationActivities } from './activities.ts';
import { DIGEST_PREFERENCES_CHANGED_SIGNAL } from './ids.ts';
import { backoffMs, resolveNotificationDeliverySettings } from './settings.ts';
import type { DigestInput } from './types.ts';

/** The person's preferences changed: `position` is the change's, which the schedule waits to see. */
export const digestPreferencesChanged = defineSignal<[{ eventId: string; position: string }]>(
  DIGEST_PREFERENCES_CHANGED_SIGNAL,
);

const acts = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** A digest's 08:00 lasts a minute: the next schedule starts after it, so one morning sends one digest. */
const DIGEST_MINUTE_MS = 60_000;

/**
 * One person's daily e-mail digest (`notification-digest-<userId>`), started the first time they
 * switch it on. It sleeps until 08:00 in their time zone, e-mails their unread notifications since
 * the last digest (none unread: no e-mail) and continues as new from there. Switched off, it waits
 * for the next change rather than ending: the process manager refuses to start a workflow id twice,
 * so an ended digest could never be switched on again. Every preferences change (its reaction
 * signals here) wakes it to read the schedule again — another time zone moves the next digest.
 * It does end when the account is deactivated or forgotten (the device-revocation reaction signals
 * it then too), and skips a digest whose 08:00 finds the account so.
 */
export async function sendNotificationDigest(input: DigestInput): Promise<void> {
  const settings = resolveNotificationDeliverySettings(input.settings);
  let position = input.position;
  let changes = 0;
  setHandler(digestPreferencesChanged, (change) => {
    changes++;
    if (BigInt(change.position) > BigInt(position)) position = change.position;
  });
  for (;;) {
    const seen = changes;
    const after =
      input.since === null ? Date.now() : Math.max(Date.now(), Date.parse(input.since) + DIGEST_MINUTE_MS);
    const schedule = await acts.notificationDigestSchedule({
      userId: input.userId,
      after: new Date(after).toISOString(),
      position,
    });
    // Deactivated or forgotten: no digest will ever go out again (nothing reactivates an account).
    if (schedule.ended) return;
    if (!schedule.enabled) {
      await condition(() => changes !== seen);
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof sendNotificationDigest>({ ...input, position });
      }
      continue;
    }
    const wait = Date.parse(schedule.at) - Date.now();
    if (wait > 0 && (await condition(() => changes !== seen, wait))) continue;
    const now = new Date(Date.now()).toISOString();
    const send = () =>
      acts.sendNotificationDigestEmail({
        userId: input.userId,
        since: input.since,
        now,
        maximumAttempts: settings.maximumAttempts,
      });
    let outcome = await send();
    for (let attempt = 1; outcome.state === 'pending'; attempt++) {
      await sleep(backoffMs(settings, attempt));
      outcome = await send();
    }
    await continueAsNew<typeof sendNotificationDigest>({ ...input, since: now, position });
  }
}
