import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import {
  SESSION_REMINDER_LEAD_MS,
  SESSION_REMINDER_LEADS,
} from '../../domain/notifications/reminder-leads.ts';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import type { NotificationActivities } from './activities.ts';
import { SESSION_CANCELLED_SIGNAL } from './ids.ts';
import type { SessionRemindersInput } from './types.ts';

export const sessionCancelled = defineSignal<[{ eventId: string }]>(SESSION_CANCELLED_SIGNAL);

const acts = proxyActivities<NotificationActivities>({
  startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Reminds both participants of a mentorship session 24 hours and 15 minutes before it starts:
 * sleeps (durable timers) to each, skipping those already past when the session was scheduled,
 * and records SessionReminderDue, which the notification rules and the delivery saga carry to the
 * participants. A cancellation (its reaction signals here) ends the workflow at once.
 */
export async function remindMentorshipSession(input: SessionRemindersInput): Promise<void> {
  let cancelled = false;
  setHandler(sessionCancelled, () => {
    cancelled = true;
  });
  const startsAt = Date.parse(input.startsAt);
  for (const lead of SESSION_REMINDER_LEADS) {
    const wait = startsAt - SESSION_REMINDER_LEAD_MS[lead] - Date.now();
    if (wait <= 0) continue;
    if (await condition(() => cancelled, wait)) return;
    await acts.recordSessionReminder({ ...input, lead }, new Date(Date.now()).toISOString());
  }
}
