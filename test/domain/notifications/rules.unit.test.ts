import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_SOURCE_EVENT_TYPES,
  NOTIFICATION_SOURCE_EVENTS,
  type NotificationDraft,
  type NotificationFacts,
  type NotificationSourceEvent,
  notificationsFor,
} from '../../../src/domain/notifications/notification-rules.ts';
import { isNotificationType } from '../../../src/domain/notifications/notification-types.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [ADA, BEN, CY, DEE] = [id(1), id(2), id(3), id(4)];
const [VIDEO, COMMENT, PARENT, THING] = [id(10), id(11), id(12), id(13)];
const AT = '2026-12-07T10:00:00.000Z';

/** Given the facts the projection kept, when the event happens, then these notifications (recipient, type, actor, subject). */
const given = (facts: NotificationFacts) => ({
  when: (event: NotificationSourceEvent) => ({
    // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary of the spec; never awaited.
    then: (expected: readonly Partial<NotificationDraft>[]) =>
      expect(notificationsFor(event, facts)).toEqual(expected.map((draft) => expect.objectContaining(draft))),
    thenNobody: () => expect(notificationsFor(event, facts)).toEqual([]),
  }),
});
type Posted = Extract<NotificationSourceEvent, { type: 'CommentPosted' }>;
const comment = (extra: Partial<Posted['data']> = {}): Posted => ({
  type: 'CommentPosted',
  data: {
    commentId: COMMENT,
    videoId: VIDEO,
    authorId: BEN,
    parentId: null,
    rootId: COMMENT,
    depth: 0,
    body: 'nice',
    mentions: [],
    ...extra,
  },
});

describe('notification rules', () => {
  it('lists every source type once, each a type its catalogue defines', () => {
    expect(new Set(NOTIFICATION_SOURCE_EVENT_TYPES).size).toBe(NOTIFICATION_SOURCE_EVENT_TYPES.length);
    for (const { catalogue, types } of NOTIFICATION_SOURCE_EVENTS) {
      for (const type of types) expect(Object.hasOwn(catalogue, type), type).toBe(true);
    }
  });

  describe('social', () => {
    it('ContentLiked on a video: its author hears, grouped by video; not on a comment; not one`s own', () => {
      const liked = (targetKind: 'video' | 'comment', userId = BEN) =>
        ({ type: 'ContentLiked', data: { userId, targetKind, targetId: VIDEO, authorId: ADA } }) as const;
      given({})
        .when(liked('video'))
        .then([
          { recipientId: ADA, type: 'video_liked', actorId: BEN, subject: { kind: 'video', id: VIDEO } },
        ]);
      given({}).when(liked('comment')).thenNobody();
      given({}).when(liked('video', ADA)).thenNobody();
    });

    it('CommentPosted: the video`s owner hears of a comment', () => {
      given({ videoOwnerId: ADA })
        .when(comment())
        .then([{ recipientId: ADA, type: 'video_commented', actorId: BEN, data: { commentId: COMMENT } }]);
    });

    it('CommentPosted as a reply: the parent`s author hears a reply (not also a comment on their video), mentions hear once', () => {
      given({ videoOwnerId: ADA, parentCommentAuthorId: ADA })
        .when(
          comment({
            parentId: PARENT,
            rootId: PARENT,
            depth: 1,
            mentions: [
              { username: 'cy', userId: CY },
              { username: 'ada', userId: ADA },
            ],
          }),
        )
        .then([
          { recipientId: ADA, type: 'comment_replied', subject: { kind: 'comment', id: PARENT } },
          { recipientId: CY, type: 'mentioned', subject: { kind: 'comment', id: COMMENT } },
        ]);
    });

    it('CommentPosted on one`s own video, or held for moderation: nobody', () => {
      given({ videoOwnerId: BEN }).when(comment()).thenNobody();
      given({ videoOwnerId: ADA })
        .when(comment({ held: true }))
        .thenNobody();
    });

    it('UserFollowed: the followee hears, grouped on themselves', () => {
      given({})
        .when({ type: 'UserFollowed', data: { followerId: BEN, followeeId: ADA } })
        .then([{ recipientId: ADA, type: 'new_follower', actorId: BEN, subject: { kind: 'user', id: ADA } }]);
    });

    it('VideoPostCreated public: every follower hears; private or already announced: nobody', () => {
      const created = (visibility: 'public' | 'private'): NotificationSourceEvent => ({
        type: 'VideoPostCreated',
        data: {
          postId: VIDEO,
          ownerId: ADA,
          assetId: THING,
          title: 't',
          description: '',
          tags: [],
          visibility,
        },
      });
      given({ followerIds: [BEN, CY] })
        .when(created('public'))
        .then([
          { recipientId: BEN, type: 'followed_user_posted', actorId: ADA },
          { recipientId: CY, type: 'followed_user_posted', actorId: ADA },
        ]);
      given({ followerIds: [BEN] })
        .when(created('private'))
        .thenNobody();
      given({ followerIds: [BEN], videoAnnounced: true })
        .when(created('public'))
        .thenNobody();
    });

    it('VideoPostUpdated to public for the first time announces it; other edits do not', () => {
      const updated = (visibility?: 'public' | 'unlisted') =>
        ({
          type: 'VideoPostUpdated',
          data: { postId: VIDEO, changes: visibility ? { visibility } : { title: 'x' } },
        }) as const;
      const facts = {
        videoOwnerId: ADA,
        followerIds: [BEN],
        videoVisibility: 'private',
        videoAnnounced: false,
      };
      given(facts)
        .when(updated('public'))
        .then([{ recipientId: BEN, type: 'followed_user_posted' }]);
      given(facts).when(updated('unlisted')).thenNobody();
      given(facts).when(updated()).thenNobody();
      given({ ...facts, videoAnnounced: true })
        .when(updated('public'))
        .thenNobody();
    });
  });

  it('ChatMessageSent: every member but the sender and those who muted, without the text', () => {
    const sent: NotificationSourceEvent = {
      type: 'ChatMessageSent',
      data: {
        messageId: THING,
        conversationId: VIDEO,
        senderId: ADA,
        text: 'secret',
        replyToId: null,
        attachments: [],
      },
    };
    const drafts = notificationsFor(sent, {
      chatMembers: [
        { userId: ADA, muted: false },
        { userId: BEN, muted: false },
        { userId: CY, muted: true },
      ],
    });
    expect(drafts).toEqual([
      expect.objectContaining({
        recipientId: BEN,
        type: 'chat_message',
        subject: { kind: 'conversation', id: VIDEO },
      }),
    ]);
    expect(JSON.stringify(drafts)).not.toContain('secret');
  });

  describe('communities', () => {
    it('CommunityMemberInvited: the invitee', () => {
      given({})
        .when({ type: 'CommunityMemberInvited', data: { communityId: THING, userId: BEN, invitedBy: ADA } })
        .then([{ recipientId: BEN, type: 'community_invited', actorId: ADA }]);
    });
    it('CommunityJoinRequested: owners and moderators', () => {
      given({ communityStaffIds: [ADA, CY] })
        .when({ type: 'CommunityJoinRequested', data: { communityId: THING, userId: BEN } })
        .then([
          { recipientId: ADA, type: 'community_join_requested', actorId: BEN },
          { recipientId: CY, type: 'community_join_requested', actorId: BEN },
        ]);
    });
    it('CommunityPostMarkedHelpful and CommunityPostRemoved: the post`s author, without the moderator`s reason', () => {
      const post = { communityId: THING, postId: COMMENT, threadId: PARENT, authorId: BEN };
      given({})
        .when({ type: 'CommunityPostMarkedHelpful', data: { ...post, markedBy: ADA } })
        .then([{ recipientId: BEN, type: 'community_post_helpful', actorId: ADA }]);
      const removed = notificationsFor({
        type: 'CommunityPostRemoved',
        data: { ...post, removedBy: ADA, reason: 'spam from a bot' },
      });
      expect(removed).toEqual([
        expect.objectContaining({ recipientId: BEN, type: 'community_post_removed' }),
      ]);
      expect(JSON.stringify(removed)).not.toContain('spam');
      given({})
        .when({ type: 'CommunityPostRemoved', data: { ...post, removedBy: BEN, reason: null } })
        .thenNobody();
    });
    it('CheckpointAttemptGraded: the learner, with the outcome', () => {
      given({})
        .when({
          type: 'CheckpointAttemptGraded',
          data: {
            communityId: THING,
            checkpointId: PARENT,
            userId: BEN,
            attemptId: COMMENT,
            gradedBy: ADA,
            grades: [],
            score: 8,
            passed: true,
            feedback: null,
          },
        })
        .then([
          {
            recipientId: BEN,
            type: 'checkpoint_graded',
            data: expect.objectContaining({ passed: true, score: 8 }),
          },
        ]);
    });
  });

  describe('mentorship', () => {
    const factors = { subject: 1, cohort: 1, language: 1, timezone: 1, load: 1, rating: 1 } as never;
    it('MentorOffered: the mentor; MatchMade: both, each with the other as actor', () => {
      given({})
        .when({
          type: 'MentorOffered',
          data: {
            requestId: THING,
            learnerId: BEN,
            mentorId: ADA,
            offerNumber: 1,
            factors,
            mentorCohort: 'experienced' as never,
            expiresAt: AT,
          },
        })
        .then([{ recipientId: ADA, type: 'mentor_offered', actorId: BEN }]);
      given({})
        .when({
          type: 'MatchMade',
          data: { requestId: THING, learnerId: BEN, mentorId: ADA, offerNumber: 1, factors },
        })
        .then([
          { recipientId: BEN, type: 'match_made', actorId: ADA },
          { recipientId: ADA, type: 'match_made', actorId: BEN },
        ]);
    });
    it('MentorshipSessionScheduled and Cancelled: the participants but whoever did it', () => {
      given({})
        .when({
          type: 'MentorshipSessionScheduled',
          data: {
            sessionId: THING,
            matchRequestId: PARENT,
            mentorId: ADA,
            learnerId: BEN,
            startsAt: AT,
            endsAt: AT,
            durationMinutes: 30,
            room: {} as never,
            scheduledBy: ADA,
          },
        })
        .then([{ recipientId: BEN, type: 'session_scheduled', actorId: ADA }]);
      given({ sessionParticipantIds: [ADA, BEN] })
        .when({
          type: 'MentorshipSessionCancelled',
          data: { sessionId: THING, cancelledBy: BEN, reason: null, at: AT },
        })
        .then([{ recipientId: ADA, type: 'session_cancelled', actorId: BEN }]);
    });
    it('SessionReminderDue: each participant, from nobody', () => {
      given({})
        .when({
          type: 'SessionReminderDue',
          data: { sessionId: THING, lead: '15m', startsAt: AT, participantIds: [ADA, BEN] },
        })
        .then([
          { recipientId: ADA, type: 'session_reminder', actorId: null, data: { lead: '15m', startsAt: AT } },
          { recipientId: BEN, type: 'session_reminder', actorId: null },
        ]);
    });
  });

  describe('publishing and media', () => {
    const steps = [
      { name: 'Legal', role: 'approver' as const },
      { name: 'Brand', role: 'admin' as const },
    ];
    it('ContentSubmitted: who may sign off the first step; ContentStepApproved: the next step`s', () => {
      given({ reviewerIds: [ADA, CY] })
        .when({ type: 'ContentSubmitted', data: { contentId: THING, version: 2, submittedBy: CY, steps } })
        .then([
          {
            recipientId: ADA,
            type: 'content_review_requested',
            actorId: CY,
            data: { version: 2, step: 0, stepName: 'Legal' },
          },
        ]);
      given({ reviewerIds: [DEE], nextStep: { step: 1, name: 'Brand' } })
        .when({
          type: 'ContentStepApproved',
          data: { contentId: THING, version: 2, step: 0, stepName: 'Legal', approvedBy: ADA, comment: null },
        })
        .then([
          {
            recipientId: DEE,
            type: 'content_review_requested',
            data: { version: 2, step: 1, stepName: 'Brand' },
          },
        ]);
      given({ reviewerIds: [DEE], nextStep: null })
        .when({
          type: 'ContentStepApproved',
          data: { contentId: THING, version: 2, step: 1, stepName: 'Brand', approvedBy: ADA, comment: null },
        })
        .thenNobody();
    });
    it('ContentApproved, ContentRejected, ContentPublished, ContentPublishFailed: the author; the system is nobody`s actor', () => {
      const facts = { contentAuthorId: BEN };
      given(facts)
        .when({ type: 'ContentApproved', data: { contentId: THING, version: 1 } })
        .then([{ recipientId: BEN, type: 'content_approved', actorId: null }]);
      given(facts)
        .when({
          type: 'ContentRejected',
          data: { contentId: THING, version: 1, step: 0, rejectedBy: ADA, reason: 'tone' },
        })
        .then([{ recipientId: BEN, type: 'content_rejected', actorId: ADA }]);
      given(facts)
        .when({
          type: 'ContentPublished',
          data: { contentId: THING, publicationId: PARENT, version: 1, publishedAt: AT },
        })
        .then([{ recipientId: BEN, type: 'content_published' }]);
      given(facts)
        .when({
          type: 'ContentPublishFailed',
          data: { contentId: THING, publicationId: PARENT, stage: 'channels' as never, reasons: [] },
        })
        .then([{ recipientId: BEN, type: 'content_publish_failed' }]);
      given({ contentAuthorId: 'system:importer' })
        .when({ type: 'ContentApproved', data: { contentId: THING, version: 1 } })
        .thenNobody();
      given({})
        .when({ type: 'ContentApproved', data: { contentId: THING, version: 1 } })
        .thenNobody();
    });
    it('MediaReady and MediaProcessingFailed: the uploader', () => {
      given({ mediaOwnerId: ADA })
        .when({ type: 'MediaReady', data: { assetId: THING, manifest: {} as never } })
        .then([{ recipientId: ADA, type: 'media_ready' }]);
      given({ mediaOwnerId: ADA })
        .when({
          type: 'MediaProcessingFailed',
          data: { assetId: THING, stage: 'transcode' as never, reason: 'x' as never },
        })
        .then([{ recipientId: ADA, type: 'media_failed' }]);
    });
  });

  describe('security', () => {
    it('UserPasswordReset: the person', () => {
      given({})
        .when({
          type: 'UserPasswordReset',
          data: { userId: ADA, requestId: THING, passwordHash: 'h', at: AT },
        })
        .then([{ recipientId: ADA, type: 'password_reset', subject: { kind: 'account', id: ADA } }]);
    });
    it('LoginSucceeded from a new device: the person, with the device`s label; a known or unknown device: nobody', () => {
      const login = (device?: { hash: string; label: string; newDevice: boolean }) =>
        ({
          type: 'LoginSucceeded',
          data: { userId: ADA, sessionId: THING, method: 'password', at: AT, ...(device ? { device } : {}) },
        }) as const;
      const hash = 'a'.repeat(64);
      given({})
        .when(login({ hash, label: 'Firefox on Linux', newDevice: true }))
        .then([
          {
            recipientId: ADA,
            type: 'new_sign_in',
            data: { device: 'Firefox on Linux', method: 'password', at: AT },
          },
        ]);
      given({})
        .when(login({ hash, label: 'Firefox on Linux', newDevice: false }))
        .thenNobody();
      given({}).when(login()).thenNobody();
    });
    it('PasskeyRegistered: the owner, whoever added it (a stolen session could have), without the passkey`s name', () => {
      const registered: NotificationSourceEvent = {
        type: 'PasskeyRegistered',
        data: {
          userId: ADA,
          credentialId: 'Y3JlZA',
          publicKey: 'a2V5',
          counter: 0,
          transports: ['internal'],
          name: 'My laptop',
          backedUp: false,
          at: AT,
        },
      };
      given({})
        .when(registered)
        .then([
          {
            recipientId: ADA,
            type: 'passkey_added',
            actorId: null,
            subject: { kind: 'account', id: ADA },
            data: { credentialId: 'Y3JlZA', at: AT },
          },
        ]);
      expect(JSON.stringify(notificationsFor(registered, {}))).not.toContain('My laptop');
    });
  });

  describe('sync', () => {
    const DEVICE = id(20);
    const COMMUNITY = id(21);

    it('SyncConflictQueued: the person hears their offline edit waits for them, never either side`s words', () => {
      const queued: NotificationSourceEvent = {
        type: 'SyncConflictQueued',
        data: {
          conflictId: THING,
          userId: ADA,
          deviceId: DEVICE,
          changeId: 'edit-1',
          changeType: 'post.edit',
          entityId: PARENT,
          communityId: COMMUNITY,
          baseVersion: 1,
          serverVersion: 3,
          clientTime: AT,
          deviceValue: JSON.stringify({ body: 'My offline words' }),
          serverValue: JSON.stringify({ body: 'Words from elsewhere' }),
        },
      };
      // Their own device raised it, yet they hear of it: nobody is named as the actor.
      given({})
        .when(queued)
        .then([
          {
            recipientId: ADA,
            type: 'sync_conflict_queued',
            actorId: null,
            subject: { kind: 'sync_conflict', id: THING },
            data: { deviceId: DEVICE, changeType: 'post.edit', entityId: PARENT, communityId: COMMUNITY },
          },
        ]);
      const stored = JSON.stringify(notificationsFor(queued, {}));
      expect(stored).not.toContain('offline words');
      expect(stored).not.toContain('from elsewhere');
    });

    it('SyncChangeOverruled: the person hears, about the community or post the change was for, with the code only', () => {
      const overruled = (changeType: string, communityId: string | null): NotificationSourceEvent => ({
        type: 'SyncChangeOverruled',
        data: {
          userId: ADA,
          deviceId: DEVICE,
          changeId: 'Change-1',
          changeType,
          entityId: changeType === 'community.join' ? COMMUNITY : PARENT,
          communityId,
          code: 'BANNED',
          message: 'You are banned from this community',
        },
      });
      given({})
        .when(overruled('community.join', COMMUNITY))
        .then([
          {
            recipientId: ADA,
            type: 'sync_change_overruled',
            actorId: null,
            subject: { kind: 'community', id: COMMUNITY },
            data: {
              deviceId: DEVICE,
              changeId: 'Change-1',
              changeType: 'community.join',
              entityId: COMMUNITY,
              communityId: COMMUNITY,
              code: 'BANNED',
            },
          },
        ]);
      given({})
        .when(overruled('community.reply', COMMUNITY))
        .then([{ type: 'sync_change_overruled', subject: { kind: 'community_post', id: PARENT } }]);
      given({})
        .when(overruled('profile.update', null))
        .then([{ type: 'sync_change_overruled', subject: { kind: 'account', id: ADA } }]);
      expect(JSON.stringify(notificationsFor(overruled('community.join', COMMUNITY), {}))).not.toContain(
        'banned from',
      );
    });
  });

  it('raises only known types, lower-cases ids and notifies each person once', () => {
    const upper = notificationsFor({
      type: 'UserFollowed',
      data: { followerId: BEN.toUpperCase(), followeeId: ADA.toUpperCase() },
    });
    expect(upper).toEqual([
      expect.objectContaining({ recipientId: ADA, actorId: BEN, subject: { kind: 'user', id: ADA } }),
    ]);
    expect(isNotificationType(upper[0]?.type ?? '')).toBe(true);
  });
});
