import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import {
  type ReminderCommand,
  reminderDecider,
  SESSION_REMINDERS_PROCESS,
} from '../../../src/domain/notifications/reminder-decider.ts';
import type { ReminderEvent } from '../../../src/domain/notifications/reminder-events.ts';
import { asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(reminderDecider);
const now = new Date('2030-01-10T08:00:00.000Z');
const workflow = by(theSystem(SESSION_REMINDERS_PROCESS), now);

function reminder(lead: '24h' | '15m', startsAt = '2030-01-11T09:00:00.000Z') {
  const sessionId = randomUUID();
  const participantIds = [randomUUID(), randomUUID()];
  const command: ReminderCommand = {
    type: 'RecordSessionReminder',
    sessionId,
    lead,
    startsAt,
    participantIds,
  };
  const event: ReminderEvent = {
    type: 'SessionReminderDue',
    data: { sessionId, lead, startsAt, participantIds },
  };
  return { command, event };
}

describe('session reminders', () => {
  it('records a reminder once per lead and start time', () => {
    const { command, event } = reminder('24h');
    spec.given([]).when(command, workflow).then([event]);
    spec.given([event]).when(command, workflow).thenNothing();
  });

  it('records the other lead, and a reminder for a moved start time', () => {
    const { command, event } = reminder('24h');
    const fifteen = { ...command, lead: '15m' as const };
    spec
      .given([event])
      .when(fifteen, workflow)
      .then([{ type: 'SessionReminderDue', data: { ...event.data, lead: '15m' } }]);
    const moved = { ...command, startsAt: '2030-01-12T09:00:00.000Z' };
    spec
      .given([event])
      .when(moved, workflow)
      .then([{ type: 'SessionReminderDue', data: { ...event.data, startsAt: moved.startsAt } }]);
  });

  it('refuses anyone but the reminder workflow', () => {
    const { command } = reminder('15m');
    spec
      .given([])
      .when(command, by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given([])
      .when(command, by(theSystem('matching'), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });
});
