import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { sessionAggregate } from '../../domain/mentorship/session-decider.ts';
import { mentorSessionStream } from '../../domain/mentorship/streams.ts';
import { reminderAggregate, SESSION_REMINDERS_PROCESS } from '../../domain/notifications/reminder-decider.ts';
import type { SessionReminderLead } from '../../domain/notifications/reminder-events.ts';
import { sessionReminderStream } from '../../domain/notifications/streams.ts';
import { execute } from '../../services/shared/command-context.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import type { SessionRemindersInput } from './types.ts';

/** Names the reminder commands' ids (a random v4 UUID, fixed forever). */
const REMINDERS_NAMESPACE = 'b0f3c8d1-6a2e-4f7b-9c14-5e8d2a7f3b60';

/**
 * Records that a reminder fell due (SessionReminderDue, which the notification rules turn into
 * session_reminder for both participants). The command id derives from the session, the lead and
 * the start time, and the decider records each once, so a retried activity appends nothing new.
 * A session that has been cancelled, has started or has ended gets no reminder: the cancellation's
 * signal may still be on its way when the timer fires.
 */
export async function recordSessionReminder(
  deps: Pick<NotificationDeliveryDeps, 'store' | 'codec' | 'log'>,
  input: SessionRemindersInput & { lead: SessionReminderLead },
  now: string,
): Promise<{ recorded: boolean }> {
  const { state } = await loadAggregate(deps, sessionAggregate, mentorSessionStream(input.sessionId));
  if (state.status !== 'scheduled') return { recorded: false };
  const result = await execute(deps, reminderAggregate, sessionReminderStream(input.sessionId), {
    commandId: uuidv5(`${input.sessionId}:${input.lead}:${input.startsAt}`, REMINDERS_NAMESPACE),
    correlationId: input.scheduledEventId,
    causationId: input.scheduledEventId,
    actor: { kind: 'system', process: SESSION_REMINDERS_PROCESS },
    now: new Date(now),
    command: {
      type: 'RecordSessionReminder',
      sessionId: input.sessionId,
      lead: input.lead,
      startsAt: input.startsAt,
      participantIds: input.participantIds,
    },
  });
  return { recorded: result.events.length > 0 };
}
