import { describe, it } from 'vitest';
import type { NotificationPreferencesCommand } from '../../../src/domain/notifications/preferences-commands.ts';
import { notificationPreferencesDecider } from '../../../src/domain/notifications/preferences-decider.ts';
import type { NotificationPreferencesEvent } from '../../../src/domain/notifications/preferences-events.ts';
import { anonymous, anotherUser, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ANA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const now = new Date('2026-12-07T08:00:00.000Z');
const ana = by(asUser(ANA), now);
const spec = deciderSpec(notificationPreferencesDecider);

const change = (
  fields: Omit<NotificationPreferencesCommand, 'type' | 'userId'>,
): NotificationPreferencesCommand => ({
  type: 'ChangeNotificationPreferences',
  userId: ANA,
  ...fields,
});
const changed = (
  fields: Partial<
    Omit<Extract<NotificationPreferencesEvent, { type: 'NotificationPreferencesChanged' }>['data'], 'userId'>
  >,
): NotificationPreferencesEvent => ({
  type: 'NotificationPreferencesChanged',
  data: { userId: ANA, timeZone: 'UTC', quietHours: null, emailDigest: false, channels: {}, ...fields },
});

describe('changing notification preferences', () => {
  it('records the whole preferences after the change, starting from the defaults', () => {
    spec
      .given([])
      .when(change({ timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } }), ana)
      .then([changed({ timeZone: 'Europe/Berlin', quietHours: { start: '22:00', end: '07:00' } })]);
  });

  it('keeps what the change leaves out and merges channel choices type by type', () => {
    const before = changed({ timeZone: 'Asia/Tokyo', channels: { video_liked: { push: false } } });
    spec
      .given([before])
      .when(
        change({
          emailDigest: true,
          channels: { video_liked: { email: true }, new_follower: { push: false } },
        }),
        ana,
      )
      .then([
        changed({
          timeZone: 'Asia/Tokyo',
          emailDigest: true,
          channels: { video_liked: { push: false, email: true }, new_follower: { push: false } },
        }),
      ]);
  });

  it('drops a choice set to null, and the type with it once it has none left', () => {
    spec
      .given([
        changed({ channels: { video_liked: { push: false }, mentioned: { email: true, push: false } } }),
      ])
      .when(change({ channels: { video_liked: { push: null }, mentioned: { email: null } } }), ana)
      .then([changed({ channels: { mentioned: { push: false } } })]);
  });

  it('writes the time zone as Intl spells it', () => {
    spec
      .given([])
      .when(change({ timeZone: 'america/new_york' }), ana)
      .then([changed({ timeZone: 'America/New_York' })]);
  });

  it('clears quiet hours with null', () => {
    spec
      .given([changed({ quietHours: { start: '22:00', end: '07:00' } })])
      .when(change({ quietHours: null }), ana)
      .then([changed({})]);
  });

  it('decides nothing when nothing changes', () => {
    spec
      .given([])
      .when(change({ timeZone: 'UTC', emailDigest: false, channels: {} }), ana)
      .thenNothing();
    spec
      .given([changed({ channels: { video_liked: { push: false } } })])
      .when(change({ channels: { video_liked: { push: false } } }), ana)
      .thenNothing();
  });

  it('stores nothing for a security type switched on: it always is', () => {
    spec
      .given([])
      .when(change({ channels: { new_sign_in: { email: true } } }), ana)
      .thenNothing();
  });
});

describe('bad input changes nothing', () => {
  it('refuses an unknown notification type', () => {
    spec
      .given([])
      .when(change({ channels: { video_liked: { push: false }, bogus_type: { push: false } } }), ana)
      .thenThrows('VALIDATION', 'UNKNOWN_NOTIFICATION_TYPE');
  });

  it('refuses switching a security notification off', () => {
    spec
      .given([])
      .when(change({ channels: { password_reset: { email: false } } }), ana)
      .thenThrows('VALIDATION', 'SECURITY_NOTIFICATION_REQUIRED');
  });

  it('refuses time zones Intl does not know, and bare offsets', () => {
    spec
      .given([])
      .when(change({ timeZone: 'Mars/Olympus_Mons' }), ana)
      .thenThrows('VALIDATION', 'INVALID_TIME_ZONE');
    spec
      .given([])
      .when(change({ timeZone: '+02:00' }), ana)
      .thenThrows('VALIDATION', 'INVALID_TIME_ZONE');
  });

  it('refuses quiet hours that are not HH:MM or that start when they end', () => {
    spec
      .given([])
      .when(change({ quietHours: { start: '24:00', end: '07:00' } }), ana)
      .thenThrows('VALIDATION', 'INVALID_QUIET_HOURS');
    spec
      .given([])
      .when(change({ quietHours: { start: '7:00', end: '08:00' } }), ana)
      .thenThrows('VALIDATION', 'INVALID_QUIET_HOURS');
    spec
      .given([])
      .when(change({ quietHours: { start: '08:00', end: '08:00' } }), ana)
      .thenThrows('VALIDATION', 'INVALID_QUIET_HOURS');
  });
});

describe('who may change them', () => {
  it('is the person themselves, or a process (the unsubscribe link)', () => {
    spec
      .given([])
      .when(change({ channels: { video_liked: { email: true } } }), by(theSystem('unsubscribe'), now))
      .then([changed({ channels: { video_liked: { email: true } } })]);
    spec
      .given([])
      .when(change({ emailDigest: true }), by(anotherUser(), now))
      .thenThrows('FORBIDDEN', 'NOT_YOUR_PREFERENCES');
    spec
      .given([])
      .when(change({ emailDigest: true }), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});
