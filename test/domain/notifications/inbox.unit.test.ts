import { describe, it } from 'vitest';
import type { InboxCommand } from '../../../src/domain/notifications/inbox-commands.ts';
import { inboxDecider } from '../../../src/domain/notifications/inbox-decider.ts';
import type { InboxEvent } from '../../../src/domain/notifications/inbox-events.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ADA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BEN = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const N1 = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const N2 = '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2';
const now = new Date('2026-12-07T08:00:00.000Z');
const spec = deciderSpec(inboxDecider);
const ada = by(asUser(ADA), now);

const markRead = (notificationIds: string[], userId = ADA): InboxCommand => ({
  type: 'MarkNotificationsRead',
  userId,
  notificationIds,
});
const markAll: InboxCommand = { type: 'MarkAllNotificationsRead', userId: ADA };
const allRead = (upTo: string): InboxEvent => ({
  type: 'AllNotificationsMarkedRead',
  data: { userId: ADA, upTo },
});

describe('inbox decider', () => {
  it('marks the named notifications read, each once and lower-cased', () => {
    spec
      .given([])
      .when(markRead([N1, N2.toUpperCase(), N1]), ada)
      .then([{ type: 'NotificationsMarkedRead', data: { userId: ADA, notificationIds: [N1, N2] } }]);
  });

  it('records nothing for no ids', () => {
    spec.given([]).when(markRead([]), ada).thenNothing();
  });

  it('refuses malformed ids and more than 100 at a time', () => {
    spec
      .given([])
      .when(markRead(['not-an-id']), ada)
      .thenThrows('VALIDATION', 'INVALID_ID');
    const many = Array.from(
      { length: 101 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    spec.given([]).when(markRead(many), ada).thenThrows('VALIDATION', 'TOO_MANY_IDS');
  });

  it('lets only the inbox`s owner (or their API key) mark it', () => {
    spec
      .given([])
      .when(markRead([N1], BEN), ada)
      .thenThrows('FORBIDDEN', 'NOT_YOUR_INBOX');
    spec
      .given([])
      .when(markRead([N1]), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'NOT_YOUR_INBOX');
    spec
      .given([])
      .when(markRead([N1]), by(theSystem(), now))
      .thenThrows('FORBIDDEN', 'NOT_YOUR_INBOX');
    spec
      .given([])
      .when(markRead([N1]), by(anIntegration(ADA, []), now))
      .then([{ type: 'NotificationsMarkedRead', data: { userId: ADA, notificationIds: [N1] } }]);
  });

  it('marks all read up to the command`s instant', () => {
    spec
      .given([])
      .when(markAll, ada)
      .then([allRead(now.toISOString())]);
  });

  it('decides nothing when everything was already marked read at or after that instant', () => {
    spec
      .given([allRead(now.toISOString())])
      .when(markAll, ada)
      .thenNothing();
    spec
      .given([allRead('2026-12-07T07:00:00.000Z')])
      .when(markAll, ada)
      .then([allRead(now.toISOString())]);
  });
});
