import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
} from '../../src/domain/notifications/notification-types.ts';
import {
  appLink,
  DIGEST_MAX_ITEMS,
  renderDigestEmail,
  renderNotificationEmail,
  unsubscribeHeaders,
} from '../../src/notifications/email/templates.ts';
import {
  unsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from '../../src/notifications/email/unsubscribe.ts';

const secret = new TextEncoder().encode('a test secret of at least thirty-two characters');
const publicUrl = 'https://chronicle.test';

describe('notification e-mail templates', () => {
  it.each(NOTIFICATION_TYPE_NAMES)('%s: text and HTML, a link into the app, and how to stop it', (type) => {
    const unsubscribe = unsubscribeUrl(publicUrl, secret, randomUUID(), type);
    const email = renderNotificationEmail({
      type,
      title: 'Something happened',
      body: 'Details',
      path: '/somewhere/1',
      publicUrl,
      unsubscribeUrl: unsubscribe,
      recipientName: 'Ada',
    });
    expect(email.subject).toBe('Something happened');
    expect(email.text).toContain('https://chronicle.test/somewhere/1');
    expect(email.html).toContain('href="https://chronicle.test/somewhere/1"');
    if (NOTIFICATION_TYPES[type].security) {
      // Security notices cannot be switched off, so they offer no link that would fail.
      expect(email.text).not.toContain(unsubscribe);
      expect(email.html).not.toContain(unsubscribe);
      expect(email.text).toContain('cannot be switched off');
    } else {
      expect(email.text).toContain(unsubscribe);
      expect(email.html).toContain(`href="${unsubscribe}"`);
    }
  });

  it('escapes what people wrote in the HTML and keeps subjects to one line', () => {
    const email = renderNotificationEmail({
      type: 'mentioned',
      title: 'Eve\r\nBcc: victim@example.org <img src=x onerror=alert(1)>',
      body: `"quoted" & 'single'`,
      path: '/videos/1',
      publicUrl,
      unsubscribeUrl: `${publicUrl}/notifications/unsubscribe?token=a&b`,
      recipientName: '<b>Mallory</b>',
    });
    expect(email.subject).toBe('Eve Bcc: victim@example.org <img src=x onerror=alert(1)>');
    expect(email.html).not.toMatch(/<img|<b>Mallory/);
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('&quot;quoted&quot; &amp; &#39;single&#39;');
    expect(email.html).toContain('token=a&amp;b');
    expect(email.text).toContain('Hello <b>Mallory</b>,');
  });

  it('greets without a name when there is none', () => {
    const email = renderNotificationEmail({
      type: 'new_follower',
      title: 'Someone followed you',
      body: '',
      path: '/users/1',
      publicUrl,
      unsubscribeUrl: `${publicUrl}/u`,
      recipientName: null,
    });
    expect(email.text.startsWith('Hello,\n')).toBe(true);
  });

  it('links only inside the app: other hosts and schemes go to the root', () => {
    expect(appLink(publicUrl, '/videos/1?x=1')).toBe('https://chronicle.test/videos/1?x=1');
    expect(appLink(`${publicUrl}/`, '/videos/1')).toBe('https://chronicle.test/videos/1');
    for (const path of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '',
    ]) {
      expect(appLink(publicUrl, path)).toBe('https://chronicle.test/');
    }
  });

  it('gives the RFC 8058 one-click headers', () => {
    expect(unsubscribeHeaders('https://chronicle.test/u?token=t')).toEqual({
      'List-Unsubscribe': '<https://chronicle.test/u?token=t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});

describe('the digest e-mail', () => {
  const item = (n: number) => ({
    type: 'video_liked' as const,
    title: `Like <${n}>`,
    body: `body ${n}`,
    path: `/videos/${n}`,
  });

  it('lists the unread notifications with links, escaped', () => {
    const email = renderDigestEmail({ recipientName: 'Ada', publicUrl, items: [item(1), item(2)], total: 2 });
    expect(email.subject).toBe('You have 2 unread notifications');
    expect(email.text).toContain('* Like <1>\n  body 1\n  https://chronicle.test/videos/1');
    expect(email.html).toContain('<a href="https://chronicle.test/videos/2">Like &lt;2&gt;</a>');
    expect(email.text).toContain('https://chronicle.test/settings/notifications');
  });

  it(`lists at most ${DIGEST_MAX_ITEMS} and counts the rest`, () => {
    const items = Array.from({ length: 60 }, (_, n) => item(n));
    const email = renderDigestEmail({ recipientName: null, publicUrl, items, total: 75 });
    expect(email.text.match(/^\* /gm)).toHaveLength(DIGEST_MAX_ITEMS);
    expect(email.text).toContain('…and 25 more.');
    expect(email.html).toContain('…and 25 more.');
  });

  it('says "1 unread notification" for one', () => {
    expect(renderDigestEmail({ recipientName: null, publicUrl, items: [item(1)], total: 1 }).subject).toBe(
      'You have 1 unread notification',
    );
  });
});

describe('unsubscribe tokens', () => {
  const userId = randomUUID();

  it('name the person and the type they were made for', () => {
    const token = unsubscribeToken(secret, userId, 'chat_message');
    expect(verifyUnsubscribeToken(secret, token)).toEqual({ userId, type: 'chat_message' });
  });

  it('read upper-case ids as the lower-cased id', () => {
    const token = unsubscribeToken(secret, userId.toUpperCase(), 'chat_message');
    expect(verifyUnsubscribeToken(secret, token)?.userId).toBe(userId);
  });

  it('refuse a token made with another secret, altered, or malformed', () => {
    const token = unsubscribeToken(secret, userId, 'chat_message');
    const other = new TextEncoder().encode('another secret of at least thirty-two characters');
    expect(verifyUnsubscribeToken(other, token)).toBeNull();
    const [payload = '', mac = ''] = token.split('.');
    // Another person's id under this token's MAC.
    const forged = Buffer.concat([
      Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
      Buffer.from('chat_message'),
    ]);
    expect(verifyUnsubscribeToken(secret, `${forged.toString('base64url')}.${mac}`)).toBeNull();
    // Another type under this token's MAC.
    const retyped = Buffer.concat([
      Buffer.from(payload, 'base64url').subarray(0, 16),
      Buffer.from('video_liked'),
    ]);
    expect(verifyUnsubscribeToken(secret, `${retyped.toString('base64url')}.${mac}`)).toBeNull();
    for (const bad of ['', 'x', `${payload}.`, `.${mac}`, `${payload}.${mac}x`, `${payload}${mac}`]) {
      expect(verifyUnsubscribeToken(secret, bad)).toBeNull();
    }
  });

  it('put the token under PUBLIC_URL, keeping its path', () => {
    const url = new URL(unsubscribeUrl('https://example.org/chronicle/', secret, userId, 'chat_message'));
    expect(url.origin + url.pathname).toBe('https://example.org/chronicle/notifications/unsubscribe');
    expect(verifyUnsubscribeToken(secret, url.searchParams.get('token') ?? '')).toEqual({
      userId,
      type: 'chat_message',
    });
  });
});
