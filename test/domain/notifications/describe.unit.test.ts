import { describe, expect, it } from 'vitest';
import { actors, describeNotification } from '../../../src/domain/notifications/describe.ts';
import { NOTIFICATION_TYPE_NAMES } from '../../../src/domain/notifications/notification-types.ts';

const VIDEO = '0f8a3c1e-2b4d-4e6f-8a1b-2c3d4e5f6a7b';
const COMMUNITY = '5d1e7a2b-9c3f-4a8e-b6d0-1f2e3a4b5c6d';

describe('describeNotification', () => {
  it('names up to two people, then counts the others; a forgotten person reads "Someone"', () => {
    expect(actors(['Ada'], 1)).toBe('Ada');
    expect(actors(['Ada', 'Ben'], 2)).toBe('Ada and Ben');
    expect(actors(['Ada', 'Ben', 'Cy'], 13)).toBe('Ada and 12 others');
    expect(actors([null], 1)).toBe('Someone');
    expect(actors(['Ada', null], 2)).toBe('Ada and Someone');
    expect(actors([], 0)).toBe('Someone');
  });

  it('says who liked the video and links to it', () => {
    expect(
      describeNotification({
        type: 'video_liked',
        actorNames: ['Ada', 'Ben', 'Cy'],
        actorCount: 13,
        subjectKind: 'video',
        subjectId: VIDEO,
        data: { count: 14 },
      }),
    ).toEqual({ title: 'New likes', body: 'Ada and 12 others liked your video', path: `/videos/${VIDEO}` });
  });

  it('counts a conversation`s grouped messages and never shows their text', () => {
    const described = describeNotification({
      type: 'chat_message',
      actorNames: ['Ada'],
      actorCount: 1,
      subjectKind: 'conversation',
      subjectId: VIDEO,
      data: { count: 3, messageId: VIDEO, text: 'secret words' },
    });
    expect(described).toEqual({
      title: 'New messages',
      body: 'Ada sent 3 new messages',
      path: `/chats/${VIDEO}`,
    });
    expect(JSON.stringify(described)).not.toContain('secret');
  });

  it('names the device of a new sign-in and sends the person to their security settings', () => {
    expect(
      describeNotification({
        type: 'new_sign_in',
        actorNames: [],
        actorCount: 0,
        subjectKind: 'account',
        subjectId: VIDEO,
        data: { device: 'Firefox on Linux' },
      }),
    ).toMatchObject({ body: expect.stringContaining('from Firefox on Linux'), path: '/settings/security' });
  });

  it('tells the owner a passkey was added and what to do if it was not them', () => {
    expect(
      describeNotification({
        type: 'passkey_added',
        actorNames: [],
        actorCount: 0,
        subjectKind: 'account',
        subjectId: VIDEO,
        data: { credentialId: 'Y3JlZA' },
      }),
    ).toEqual({
      title: 'Passkey added',
      body: 'A passkey was added to your account. If this was not you, remove it and reset your password.',
      path: '/settings/security',
    });
  });

  it('sends the person to the conflict their offline edit raised, without anyone`s words', () => {
    expect(
      describeNotification({
        type: 'sync_conflict_queued',
        actorNames: [],
        actorCount: 0,
        subjectKind: 'sync_conflict',
        subjectId: VIDEO,
        data: { changeType: 'post.edit' },
      }),
    ).toEqual({
      title: 'Offline edit needs you',
      body: 'An edit you made offline met a newer version. Choose which to keep.',
      path: `/sync/conflicts/${VIDEO}`,
    });
  });

  it('says which offline change was not applied and opens what it was about', () => {
    const overruled = (changeType: string, subjectKind: string) =>
      describeNotification({
        type: 'sync_change_overruled',
        actorNames: [],
        actorCount: 0,
        subjectKind,
        subjectId: VIDEO,
        data: { changeType, communityId: COMMUNITY, code: 'BANNED' },
      });
    expect(overruled('community.join', 'community')).toMatchObject({
      title: 'Offline change not applied',
      body: expect.stringContaining('(joining a community)'),
      path: `/communities/${VIDEO}`,
    });
    expect(overruled('community.reply', 'community_post').path).toBe(
      `/communities/${COMMUNITY}/posts/${VIDEO}`,
    );
    expect(overruled('something.new', 'account')).toMatchObject({
      body: expect.stringContaining('(a change)'),
      path: '/settings/devices',
    });
  });

  it('describes every type with a title, a body and an app-relative path, whatever data it is given', () => {
    for (const type of NOTIFICATION_TYPE_NAMES) {
      for (const data of [{}, null, { count: 2, startsAt: '2026-12-08T10:00:00.000Z', lead: '15m' }]) {
        const described = describeNotification({
          type,
          actorNames: ['Ada'],
          actorCount: 1,
          subjectKind: 'x',
          subjectId: VIDEO,
          data,
        });
        expect(described.title, type).not.toBe('');
        expect(described.body, type).not.toBe('');
        expect(described.path.startsWith('/'), type).toBe(true);
      }
    }
  });

  it('writes a reminder`s lead and time in words', () => {
    const body = describeNotification({
      type: 'session_reminder',
      actorNames: [],
      actorCount: 0,
      subjectKind: 'mentorship_session',
      subjectId: VIDEO,
      data: { lead: '15m', startsAt: '2026-12-08T10:00:00.000Z' },
    }).body;
    expect(body).toBe('Your mentorship session starts in 15 minutes (2026-12-08 10:00 UTC)');
  });
});
