import type { Decider, DecisionContext } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';
import { type ReminderEvent, reminderEventCatalogue, type SessionReminderLead } from './reminder-events.ts';

/** The process that records reminders: the session's reminder workflow, and nobody else. */
export const SESSION_REMINDERS_PROCESS = 'session-reminders';

export type ReminderCommand = {
  type: 'RecordSessionReminder';
  sessionId: string;
  lead: SessionReminderLead;
  startsAt: string;
  participantIds: readonly string[];
};

/** The reminders recorded so far, by lead and the start time they were for. */
export interface ReminderState {
  recorded: readonly string[];
}

const reminderKey = (lead: string, startsAt: string) => `${lead}@${startsAt}`;

/**
 * One session's reminders. A reminder for a lead and start time is recorded once: the workflow's
 * retried activity (or a replayed one) decides nothing the second time. A session moved to another
 * time gets reminders for its new time.
 */
export const reminderDecider: Decider<ReminderCommand, ReminderEvent, ReminderState> = {
  initialState: { recorded: [] },
  evolve(state, event) {
    if (event.type !== 'SessionReminderDue') return state;
    return { recorded: [...state.recorded, reminderKey(event.data.lead, event.data.startsAt)] };
  },
  decide(command, state, { actor }: DecisionContext) {
    if (actor.kind !== 'system' || actor.process !== SESSION_REMINDERS_PROCESS) {
      throw forbidden('SYSTEM_ONLY', 'Session reminders are recorded by their workflow only');
    }
    if (state.recorded.includes(reminderKey(command.lead, command.startsAt))) return [];
    return [
      {
        type: 'SessionReminderDue',
        data: {
          sessionId: command.sessionId,
          lead: command.lead,
          startsAt: command.startsAt,
          participantIds: [...command.participantIds],
        },
      },
    ];
  },
};

/** The reminder aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const reminderAggregate = { decider: reminderDecider, catalogue: reminderEventCatalogue };
