import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
} from '../../../src/domain/notifications/notification-types.ts';
import { notificationPreferencesStream } from '../../../src/domain/notifications/streams.ts';
import {
  notificationPreferencesFor,
  setEmailChannel,
} from '../../../src/services/notifications/preferences.ts';
import { eventsIn } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { identityDeps, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

/** Notification preferences through the API: defaults, changes, and bad input that changes nothing. */
const PREFERENCE_FIELDS = `timeZone quietHours { start end } emailDigest
  channels { type category inApp push email customised locked }`;
const PREFERENCES = `{ notificationPreferences { ${PREFERENCE_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { ${PREFERENCE_FIELDS} } }`;
const TYPES = '{ notificationTypes { type category defaults { inApp push email } security grouped } }';

interface Setting {
  type: string;
  category: string;
  inApp: boolean;
  push: boolean;
  email: boolean;
  customised: boolean;
  locked: boolean;
}
interface Preferences {
  timeZone: string;
  quietHours: { start: string; end: string } | null;
  emailDigest: boolean;
  channels: Setting[];
}

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const preferencesOf = async (user: TestUser) =>
  fieldOf<Preferences>(await api.gql(PREFERENCES, {}, user.accessToken), 'notificationPreferences');
const update = (user: TestUser, input: Record<string, unknown>) =>
  api.gql(UPDATE, { input }, user.accessToken);
const setting = (prefs: Preferences, type: string) => prefs.channels.find((c) => c.type === type);

describe('notificationTypes', () => {
  it('lists every type with its defaults, without signing in', async () => {
    const types = fieldOf<{ type: string; defaults: Record<string, boolean>; security: boolean }[]>(
      await api.gql(TYPES),
      'notificationTypes',
    );
    expect(types.map((t) => t.type)).toEqual(NOTIFICATION_TYPE_NAMES.map((name) => name.toUpperCase()));
    const liked = types.find((t) => t.type === 'VIDEO_LIKED');
    expect(liked).toMatchObject({ defaults: { inApp: true, push: true, email: false }, security: false });
    expect(types.find((t) => t.type === 'PASSWORD_RESET')?.security).toBe(true);
  });

  it('has a GraphQL enum value for every type in the table, and none besides', async () => {
    const schema = await readFile(
      new URL('../../../src/api/notifications/notifications.graphql', import.meta.url),
      'utf8',
    );
    const body = /enum NotificationType \{([^}]*)\}/.exec(schema)?.[1] ?? '';
    const values = body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[A-Z_]+$/.test(line));
    expect(values.sort()).toEqual(
      Object.keys(NOTIFICATION_TYPES)
        .map((t) => t.toUpperCase())
        .sort(),
    );
  });
});

describe('preferences', () => {
  it('are the defaults for someone who never set any', async () => {
    const prefs = await preferencesOf(await registerAndSignIn(api));
    expect(prefs).toMatchObject({ timeZone: 'UTC', quietHours: null, emailDigest: false });
    expect(prefs.channels).toHaveLength(NOTIFICATION_TYPE_NAMES.length);
    expect(setting(prefs, 'MEDIA_READY')).toEqual({
      type: 'MEDIA_READY',
      category: 'MEDIA',
      inApp: true,
      push: false,
      email: false,
      customised: false,
      locked: false,
    });
    expect(setting(prefs, 'NEW_SIGN_IN')?.locked).toBe(true);
  });

  it('change what is given, keep the rest, and read back as changed', async () => {
    const user = await registerAndSignIn(api);
    const changed = fieldOf<Preferences>(
      await update(user, {
        timeZone: 'europe/berlin',
        quietHours: { start: '22:00', end: '07:00' },
        channels: [
          { type: 'VIDEO_LIKED', push: false, email: true },
          { type: 'new_follower', push: false },
        ],
      }),
      'updateNotificationPreferences',
    );
    expect(changed).toMatchObject({
      timeZone: 'Europe/Berlin',
      quietHours: { start: '22:00', end: '07:00' },
    });
    expect(setting(changed, 'VIDEO_LIKED')).toMatchObject({
      inApp: true,
      push: false,
      email: true,
      customised: true,
    });
    expect(setting(changed, 'NEW_FOLLOWER')).toMatchObject({ push: false, customised: true });
    expect(await preferencesOf(user)).toEqual(changed);

    // Only the digest: the rest stays; a channel set to null goes back to its default.
    const later = fieldOf<Preferences>(
      await update(user, { emailDigest: true, channels: [{ type: 'VIDEO_LIKED', push: null }] }),
      'updateNotificationPreferences',
    );
    expect(later).toMatchObject({ timeZone: 'Europe/Berlin', emailDigest: true });
    expect(setting(later, 'VIDEO_LIKED')).toMatchObject({ push: true, email: true, customised: true });
    const cleared = fieldOf<Preferences>(
      await update(user, { quietHours: null }),
      'updateNotificationPreferences',
    );
    expect(cleared.quietHours).toBeNull();
    expect(await preferencesOf(user)).toEqual(cleared);
  });

  it('record nothing when nothing changes', async () => {
    const user = await registerAndSignIn(api);
    fieldOf(await update(user, { timeZone: 'UTC', emailDigest: false }), 'updateNotificationPreferences');
    expect(await eventsIn(api, notificationPreferencesStream(user.id))).toBe(0);
  });

  it.each([
    [
      'an unknown type',
      { channels: [{ type: 'CAT_PICTURES', push: true }] },
      'VALIDATION/UNKNOWN_NOTIFICATION_TYPE',
    ],
    [
      'a security type switched off',
      { channels: [{ type: 'NEW_SIGN_IN', email: false }] },
      'VALIDATION/SECURITY_NOTIFICATION_REQUIRED',
    ],
    ['an unknown time zone', { timeZone: 'Atlantis/Capital' }, 'VALIDATION/INVALID_TIME_ZONE'],
    ['an offset for a time zone', { timeZone: '+02:00' }, 'VALIDATION/INVALID_TIME_ZONE'],
    [
      'quiet hours that are not HH:MM',
      { quietHours: { start: '10pm', end: '07:00' } },
      'VALIDATION/INVALID_QUIET_HOURS',
    ],
    [
      'quiet hours of no length',
      { quietHours: { start: '07:00', end: '07:00' } },
      'VALIDATION/INVALID_QUIET_HOURS',
    ],
  ])('refuse %s, changing nothing at all', async (_case, bad, code) => {
    const user = await registerAndSignIn(api);
    fieldOf(await update(user, { timeZone: 'Asia/Tokyo' }), 'updateNotificationPreferences');
    const before = await preferencesOf(user);
    // The valid part of the same input is not applied either.
    const response = await update(user, { emailDigest: true, ...bad });
    expect(errorCodes(response)).toEqual([code]);
    expect(await preferencesOf(user)).toEqual(before);
    expect(await eventsIn(api, notificationPreferencesStream(user.id))).toBe(1);
  });

  it('need signing in', async () => {
    expect(errorCodes(await api.gql(PREFERENCES))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(UPDATE, { input: { emailDigest: true } }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
  });
});

describe('setEmailChannel (the unsubscribe link)', () => {
  it("switches one type's e-mail, keeps everything else, and reads in batches for delivery", async () => {
    const user = await registerAndSignIn(api);
    fieldOf(await update(user, { timeZone: 'America/Chicago' }), 'updateNotificationPreferences');
    const deps = identityDeps(api);
    await setEmailChannel(deps, user.id, 'session_reminder', false);
    await setEmailChannel(deps, user.id, 'session_reminder', false);
    // Twice is once.
    expect(await eventsIn(api, notificationPreferencesStream(user.id))).toBe(2);
    await expect.poll(async () => setting(await preferencesOf(user), 'SESSION_REMINDER')?.email).toBe(false);
    expect((await preferencesOf(user)).timeZone).toBe('America/Chicago');
    const batch = await notificationPreferencesFor(api.runtime.pool, [user.id]);
    expect(batch.get(user.id)).toMatchObject({
      timeZone: 'America/Chicago',
      channels: { session_reminder: { email: false } },
    });

    await expect(setEmailChannel(deps, user.id, 'no_such_type', false)).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'UNKNOWN_NOTIFICATION_TYPE',
    });
    await expect(setEmailChannel(deps, user.id, 'password_reset', false)).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'SECURITY_NOTIFICATION_REQUIRED',
    });
    expect(await eventsIn(api, notificationPreferencesStream(user.id))).toBe(2);
  });

  it('stores nothing for a forgotten person (an old link must not re-create data) or an unknown one', async () => {
    const user = await registerAndSignIn(api);
    fieldOf(await update(user, { emailDigest: true }), 'updateNotificationPreferences');
    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, user.accessToken), 'forgetUser');
    const deps = identityDeps(api);
    for (const userId of [user.id, crypto.randomUUID()]) {
      await expect(setEmailChannel(deps, userId, 'session_reminder', false)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        reason: 'USER_NOT_FOUND',
      });
    }
    expect(await eventsIn(api, notificationPreferencesStream(user.id))).toBe(1);
    await expect
      .poll(async () => (await notificationPreferencesFor(api.runtime.pool, [user.id])).size)
      .toBe(0);
  });
});
