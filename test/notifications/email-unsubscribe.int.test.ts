import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationType } from '../../src/domain/notifications/notification-types.ts';
import { unsubscribeToken, unsubscribeUrl } from '../../src/notifications/email/unsubscribe.ts';
import { notificationPreferencesOf } from '../../src/services/notifications/preferences.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { registerAndSignIn } from '../api/support/identity-operations.ts';

const secret = new TextEncoder().encode(TEST_AUTH_SECRET);

describe('the unsubscribe link (GET shows a page, POST switches the type’s e-mail off)', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  const pathFor = (token: string) => `/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  const emailSwitch = async (userId: string, type: NotificationType) =>
    (await notificationPreferencesOf(api.runtime.pool, userId)).channels[type]?.email;
  const preferenceRows = async (userId: string) =>
    (await api.runtime.pool.query('select 1 from notification_preferences where user_id = $1', [userId]))
      .rowCount;

  it('GET only asks: a mail scanner following the link changes nothing', async () => {
    const user = await registerAndSignIn(api);
    const token = unsubscribeToken(secret, user.id, 'video_liked');
    const page = await api.app.inject({ method: 'GET', url: pathFor(token) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Stop e-mails about likes?');
    expect(page.body).toContain(`<form method="post" action="?token=${encodeURIComponent(token)}">`);
    expect(await preferenceRows(user.id)).toBe(0);
  });

  it('POST from the page switches e-mail for that type off, and only that type', async () => {
    const user = await registerAndSignIn(api);
    const url = new URL(unsubscribeUrl('http://localhost:4000', secret, user.id, 'video_commented'));
    const done = await api.app.inject({
      method: 'POST',
      url: `${url.pathname}${url.search}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You will no longer get e-mails about comments on your videos.');
    expect(await emailSwitch(user.id, 'video_commented')).toBe(false);
    expect(await emailSwitch(user.id, 'video_liked')).toBeUndefined();
  });

  it('takes a mail client’s RFC 8058 one-click POST (multipart too), and a second one changes nothing more', async () => {
    const user = await registerAndSignIn(api);
    const token = unsubscribeToken(secret, user.id, 'community_invited');
    const boundary = 'x-boundary';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const first = await api.app.inject({
      method: 'POST',
      url: pathFor(token),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart,
    });
    expect(first.statusCode).toBe(200);
    expect(await emailSwitch(user.id, 'community_invited')).toBe(false);
    const events = async () =>
      (
        await api.runtime.pool.query(`select count(*)::int as n from es_events where stream_name = $1`, [
          `notificationprefs-${user.id}`,
        ])
      ).rows[0]?.n;
    const before = await events();
    const again = await api.app.inject({
      method: 'POST',
      url: pathFor(token),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(again.statusCode).toBe(200);
    expect(await events()).toBe(before);
  });

  it('refuses a forged, altered, missing or foreign-secret token with a 400 page, changing nothing', async () => {
    const user = await registerAndSignIn(api);
    const other = new TextEncoder().encode('another secret of at least thirty-two characters');
    const good = unsubscribeToken(secret, user.id, 'video_liked');
    const [payload] = good.split('.');
    const bad = [
      unsubscribeToken(other, user.id, 'video_liked'),
      `${payload}.AAAAAAAAAAAAAAAAAAAAAA`,
      'not-a-token',
      '',
    ];
    for (const token of bad) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await api.app.inject({
          method,
          url: pathFor(token),
          ...(method === 'POST'
            ? {
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: 'List-Unsubscribe=One-Click',
              }
            : {}),
        });
        expect(response.statusCode).toBe(400);
        expect(response.body).toContain('This unsubscribe link is not valid.');
      }
    }
    const missing = await api.app.inject({ method: 'POST', url: '/notifications/unsubscribe' });
    expect(missing.statusCode).toBe(400);
    expect(await preferenceRows(user.id)).toBe(0);
  });

  it('says security notices cannot be switched off, and leaves them on', async () => {
    const user = await registerAndSignIn(api);
    const token = unsubscribeToken(secret, user.id, 'password_reset');
    const response = await api.app.inject({ method: 'POST', url: pathFor(token) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('cannot be switched off');
    expect(await preferenceRows(user.id)).toBe(0);
  });

  it('needs no sign-in and no account row: the token names who', async () => {
    // A person who exists only in the token (say, forgotten since) gets the same answer shape.
    const token = unsubscribeToken(secret, randomUUID(), 'chat_message');
    const response = await api.app.inject({ method: 'GET', url: pathFor(token) });
    expect(response.statusCode).toBe(200);
  });
});
