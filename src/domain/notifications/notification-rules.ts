import type { BrandRole } from '../brands/brand-values.ts';
import { type ChatMessageEvent, chatMessageEventCatalogue } from '../chat/message-events.ts';
import { type AttemptEvent, attemptEventCatalogue } from '../communities/attempt-events.ts';
import { type MembershipEvent, membershipEventCatalogue } from '../communities/membership-events.ts';
import { type CommunityPostEvent, communityPostEventCatalogue } from '../communities/post-events.ts';
import { type ContentEvent, contentEventCatalogue } from '../content/content-events.ts';
import { type PasskeyEvent, passkeyEventCatalogue } from '../identity/passkey-events.ts';
import { type UserEvent, userEventCatalogue } from '../identity/user-events.ts';
import { type MediaEvent, mediaEventCatalogue } from '../media/media-events.ts';
import { type MatchRequestEvent, matchRequestEventCatalogue } from '../mentorship/match-request-events.ts';
import { type SessionEvent, sessionEventCatalogue } from '../mentorship/session-events.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { type CommentEvent, commentEventCatalogue } from '../social/comment-events.ts';
import { type FollowEvent, followEventCatalogue } from '../social/follow-events.ts';
import { type LikeEvent, likeEventCatalogue } from '../social/like-events.ts';
import { type SyncConflictEvent, syncConflictEventCatalogue } from '../sync/conflict-events.ts';
import { type VideoPostEvent, videoPostEventCatalogue } from '../videos/video-events.ts';
import type { NotificationType } from './notification-types.ts';
import { type ReminderEvent, reminderEventCatalogue } from './reminder-events.ts';

/**
 * The events that raise notifications, by catalogue. The `notifications` projection derives inbox
 * rows from exactly these, and the delivery saga starts one delivery per event of these types
 * (most of them notify someone; an event that turns out to notify nobody — a held comment, a muted
 * chat — simply finds no rows).
 */
// biome-ignore lint/suspicious/noExplicitAny: a list of catalogues of different event unions.
export const NOTIFICATION_SOURCE_EVENTS: readonly { catalogue: EventCatalogue<any>; types: string[] }[] = [
  { catalogue: likeEventCatalogue, types: ['ContentLiked'] },
  { catalogue: commentEventCatalogue, types: ['CommentPosted'] },
  { catalogue: followEventCatalogue, types: ['UserFollowed'] },
  { catalogue: videoPostEventCatalogue, types: ['VideoPostCreated', 'VideoPostUpdated'] },
  { catalogue: chatMessageEventCatalogue, types: ['ChatMessageSent'] },
  { catalogue: membershipEventCatalogue, types: ['CommunityMemberInvited', 'CommunityJoinRequested'] },
  { catalogue: communityPostEventCatalogue, types: ['CommunityPostMarkedHelpful', 'CommunityPostRemoved'] },
  { catalogue: attemptEventCatalogue, types: ['CheckpointAttemptGraded'] },
  { catalogue: matchRequestEventCatalogue, types: ['MentorOffered', 'MatchMade'] },
  { catalogue: sessionEventCatalogue, types: ['MentorshipSessionScheduled', 'MentorshipSessionCancelled'] },
  { catalogue: reminderEventCatalogue, types: ['SessionReminderDue'] },
  {
    catalogue: contentEventCatalogue,
    types: [
      'ContentSubmitted',
      'ContentStepApproved',
      'ContentApproved',
      'ContentRejected',
      'ContentPublished',
      'ContentPublishFailed',
    ],
  },
  { catalogue: mediaEventCatalogue, types: ['MediaReady', 'MediaProcessingFailed'] },
  { catalogue: userEventCatalogue, types: ['UserPasswordReset', 'LoginSucceeded'] },
  { catalogue: passkeyEventCatalogue, types: ['PasskeyRegistered'] },
  { catalogue: syncConflictEventCatalogue, types: ['SyncConflictQueued', 'SyncChangeOverruled'] },
];

/** Every source event type, flat: for a projection's or a reaction's `eventTypes`. */
export const NOTIFICATION_SOURCE_EVENT_TYPES: readonly string[] = NOTIFICATION_SOURCE_EVENTS.flatMap(
  (source) => source.types,
);

type Of<Union extends { type: string }, Type extends Union['type']> = Extract<Union, { type: Type }>;

/** A source event, decoded and typed. */
export type NotificationSourceEvent =
  | Of<LikeEvent, 'ContentLiked'>
  | Of<CommentEvent, 'CommentPosted'>
  | Of<FollowEvent, 'UserFollowed'>
  | Of<VideoPostEvent, 'VideoPostCreated' | 'VideoPostUpdated'>
  | Of<ChatMessageEvent, 'ChatMessageSent'>
  | Of<MembershipEvent, 'CommunityMemberInvited' | 'CommunityJoinRequested'>
  | Of<CommunityPostEvent, 'CommunityPostMarkedHelpful' | 'CommunityPostRemoved'>
  | Of<AttemptEvent, 'CheckpointAttemptGraded'>
  | Of<MatchRequestEvent, 'MentorOffered' | 'MatchMade'>
  | Of<SessionEvent, 'MentorshipSessionScheduled' | 'MentorshipSessionCancelled'>
  | ReminderEvent
  | Of<
      ContentEvent,
      | 'ContentSubmitted'
      | 'ContentStepApproved'
      | 'ContentApproved'
      | 'ContentRejected'
      | 'ContentPublished'
      | 'ContentPublishFailed'
    >
  | Of<MediaEvent, 'MediaReady' | 'MediaProcessingFailed'>
  | Of<UserEvent, 'UserPasswordReset' | 'LoginSucceeded'>
  | Of<PasskeyEvent, 'PasskeyRegistered'>
  | Of<SyncConflictEvent, 'SyncConflictQueued' | 'SyncChangeOverruled'>;

/** What a notification is about: the thing a tap opens, and the key grouped notifications fold by. */
export interface NotificationSubject {
  kind:
    | 'video'
    | 'comment'
    | 'user'
    | 'conversation'
    | 'community'
    | 'community_post'
    | 'checkpoint_attempt'
    | 'match_request'
    | 'mentorship_session'
    | 'content'
    | 'media'
    | 'account'
    | 'sync_conflict';
  id: string;
}

/** One notification the rules raise: who gets it, of which type, about what, because of whom. */
export interface NotificationDraft {
  recipientId: string;
  type: NotificationType;
  subject: NotificationSubject;
  /** Who caused it; null when nobody in particular did (a reminder, a finished transcode). */
  actorId: string | null;
  /** Ids and non-personal facts the text needs (never words people wrote: those can be erased). */
  data: Record<string, unknown>;
}

/**
 * The facts the rules need beyond the event itself, as the projection keeps them from earlier
 * events (absent when unknown: nobody is notified on a guess).
 */
export interface NotificationFacts {
  /** CommentPosted: the video's owner; VideoPost*: the post's owner. */
  videoOwnerId?: string | null;
  /** CommentPosted: the author of the comment replied to. */
  parentCommentAuthorId?: string | null;
  /** VideoPost*: whether the post was already announced to followers (a post is announced once). */
  videoAnnounced?: boolean;
  /** VideoPost*: the post's visibility before this event (VideoPostUpdated). */
  videoVisibility?: string | null;
  /** VideoPost*: the owner's followers when the post became visible. */
  followerIds?: readonly string[];
  /** ChatMessageSent: the conversation's current members and whether each muted it. */
  chatMembers?: readonly { userId: string; muted: boolean }[];
  /** CommunityJoinRequested: the community's owners and moderators. */
  communityStaffIds?: readonly string[];
  /** Content*: the content's author (a user id; absent when the system created it). */
  contentAuthorId?: string | null;
  /** ContentSubmitted / ContentStepApproved: the people who may sign off the step now due. */
  reviewerIds?: readonly string[];
  /** ContentStepApproved: the step now due (null when the approved one was the last). */
  nextStep?: { step: number; name: string } | null;
  /** Media*: the person who uploaded the asset. */
  mediaOwnerId?: string | null;
  /** MentorshipSessionCancelled: the session's mentor and learner. */
  sessionParticipantIds?: readonly string[];
}

const lower = (id: string) => id.toLowerCase();
const isUuid = (id: string | null | undefined): id is string =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * The notifications an event raises, at most one per recipient (a notification's id is derived
 * from the event and the recipient): when one event concerns someone in two ways, the more personal
 * way wins (a reply to your comment on your own video is a reply). Nobody is notified about their
 * own action.
 */
export function notificationsFor(
  event: NotificationSourceEvent,
  facts: NotificationFacts = {},
): NotificationDraft[] {
  const drafts = rawNotificationsFor(event, facts);
  const seen = new Set<string>();
  const result: NotificationDraft[] = [];
  for (const draft of drafts) {
    if (!isUuid(draft.recipientId)) continue;
    const recipientId = lower(draft.recipientId);
    const actorId = draft.actorId === null ? null : lower(draft.actorId);
    if (recipientId === actorId || seen.has(recipientId)) continue;
    seen.add(recipientId);
    result.push({
      ...draft,
      recipientId,
      actorId,
      subject: { ...draft.subject, id: lower(draft.subject.id) },
    });
  }
  return result;
}

function rawNotificationsFor(event: NotificationSourceEvent, facts: NotificationFacts): NotificationDraft[] {
  switch (event.type) {
    case 'ContentLiked': {
      const { targetKind, targetId, authorId, userId } = event.data;
      // Comment likes have no notification type: a like on a comment is a lighter signal than one
      // on a video, and the types table is where one would be added.
      if (targetKind !== 'video') return [];
      return [draft(authorId, 'video_liked', 'video', targetId, userId, {})];
    }
    case 'CommentPosted':
      return commentNotifications(event.data, facts);
    case 'UserFollowed': {
      const { followerId, followeeId } = event.data;
      return [draft(followeeId, 'new_follower', 'user', followeeId, followerId, {})];
    }
    case 'VideoPostCreated':
    case 'VideoPostUpdated':
      return videoPostedNotifications(event, facts);
    case 'ChatMessageSent': {
      const { conversationId, senderId, messageId } = event.data;
      // Never the text: it is under the message's own key and gone once the message is deleted.
      return (facts.chatMembers ?? [])
        .filter((member) => !member.muted)
        .map((member) =>
          draft(member.userId, 'chat_message', 'conversation', conversationId, senderId, { messageId }),
        );
    }
    case 'CommunityMemberInvited': {
      const { communityId, userId, invitedBy } = event.data;
      return [draft(userId, 'community_invited', 'community', communityId, invitedBy, {})];
    }
    case 'CommunityJoinRequested': {
      const { communityId, userId } = event.data;
      return (facts.communityStaffIds ?? []).map((staffId) =>
        draft(staffId, 'community_join_requested', 'community', communityId, userId, {}),
      );
    }
    case 'CommunityPostMarkedHelpful': {
      const { communityId, postId, threadId, authorId, markedBy } = event.data;
      return [
        draft(authorId, 'community_post_helpful', 'community_post', postId, markedBy, {
          communityId,
          threadId,
        }),
      ];
    }
    case 'CommunityPostRemoved': {
      const { communityId, postId, threadId, authorId, removedBy } = event.data;
      // The moderator's reason is their words under their key: the inbox does not copy it.
      return [
        draft(authorId, 'community_post_removed', 'community_post', postId, removedBy, {
          communityId,
          threadId,
        }),
      ];
    }
    case 'CheckpointAttemptGraded': {
      const { communityId, checkpointId, attemptId, userId, gradedBy, score, passed } = event.data;
      return [
        draft(userId, 'checkpoint_graded', 'checkpoint_attempt', attemptId, gradedBy, {
          communityId,
          checkpointId,
          score,
          passed,
        }),
      ];
    }
    case 'MentorOffered': {
      const { requestId, learnerId, mentorId, expiresAt } = event.data;
      return [draft(mentorId, 'mentor_offered', 'match_request', requestId, learnerId, { expiresAt })];
    }
    case 'MatchMade': {
      const { requestId, learnerId, mentorId } = event.data;
      return [
        draft(learnerId, 'match_made', 'match_request', requestId, mentorId, { role: 'learner' }),
        draft(mentorId, 'match_made', 'match_request', requestId, learnerId, { role: 'mentor' }),
      ];
    }
    case 'MentorshipSessionScheduled': {
      const { sessionId, mentorId, learnerId, startsAt, endsAt, scheduledBy } = event.data;
      return [mentorId, learnerId].map((participant) =>
        draft(participant, 'session_scheduled', 'mentorship_session', sessionId, scheduledBy, {
          startsAt,
          endsAt,
        }),
      );
    }
    case 'MentorshipSessionCancelled': {
      const { sessionId, cancelledBy } = event.data;
      return (facts.sessionParticipantIds ?? []).map((participant) =>
        draft(participant, 'session_cancelled', 'mentorship_session', sessionId, cancelledBy, {}),
      );
    }
    case 'SessionReminderDue': {
      const { sessionId, lead, startsAt, participantIds } = event.data;
      return participantIds.map((participant) =>
        draft(participant, 'session_reminder', 'mentorship_session', sessionId, null, { lead, startsAt }),
      );
    }
    case 'ContentSubmitted': {
      const { contentId, version, submittedBy, steps } = event.data;
      const first = steps[0];
      if (!first) return [];
      return (facts.reviewerIds ?? []).map((reviewer) =>
        draft(reviewer, 'content_review_requested', 'content', contentId, userOrNull(submittedBy), {
          version,
          step: 0,
          stepName: first.name,
        }),
      );
    }
    case 'ContentStepApproved': {
      const { contentId, version, approvedBy } = event.data;
      const next = facts.nextStep;
      if (!next) return [];
      return (facts.reviewerIds ?? []).map((reviewer) =>
        draft(reviewer, 'content_review_requested', 'content', contentId, userOrNull(approvedBy), {
          version,
          step: next.step,
          stepName: next.name,
        }),
      );
    }
    case 'ContentApproved':
      return toAuthor(facts, 'content_approved', event.data.contentId, null, { version: event.data.version });
    case 'ContentRejected': {
      const { contentId, version, step, rejectedBy } = event.data;
      return toAuthor(facts, 'content_rejected', contentId, userOrNull(rejectedBy), { version, step });
    }
    case 'ContentPublished': {
      const { contentId, publicationId, version } = event.data;
      return toAuthor(facts, 'content_published', contentId, null, { publicationId, version });
    }
    case 'ContentPublishFailed': {
      const { contentId, publicationId, stage } = event.data;
      return toAuthor(facts, 'content_publish_failed', contentId, null, { publicationId, stage });
    }
    case 'MediaReady':
      return toUploader(facts, 'media_ready', event.data.assetId, {});
    case 'MediaProcessingFailed':
      return toUploader(facts, 'media_failed', event.data.assetId, { stage: event.data.stage });
    case 'UserPasswordReset': {
      const { userId, at } = event.data;
      return [draft(userId, 'password_reset', 'account', userId, null, { at })];
    }
    case 'LoginSucceeded': {
      const { userId, device, method, at } = event.data;
      // The very first sign-in reports newDevice false, and sign-ins from before device detection
      // carry no device: neither is news to anyone.
      if (device?.newDevice !== true) return [];
      return [draft(userId, 'new_sign_in', 'account', userId, null, { device: device.label, method, at })];
    }
    case 'PasskeyRegistered': {
      // The owner added it, but a stolen session could have: the owner hears of it either way, and
      // the passkey's name stays out (people type it; it is erased with them).
      const { userId, credentialId, at } = event.data;
      return [draft(userId, 'passkey_added', 'account', userId, null, { credentialId, at })];
    }
    case 'SyncConflictQueued': {
      // The person's own device raised it, yet it is news to them (their edit is waiting): no actor,
      // so the rule that nobody hears of their own action does not drop it. Neither side's words.
      const { conflictId, userId, deviceId, changeType, entityId, communityId } = event.data;
      return [
        draft(userId, 'sync_conflict_queued', 'sync_conflict', conflictId, null, {
          deviceId,
          changeType,
          entityId,
          communityId,
        }),
      ];
    }
    case 'SyncChangeOverruled': {
      // The refusal's code only: a tap opens what the change was about (the community or the post).
      const { userId, deviceId, changeId, changeType, entityId, communityId, code } = event.data;
      const [kind, id] = overruledSubject(changeType, entityId, communityId, userId);
      return [
        draft(userId, 'sync_change_overruled', kind, id, null, {
          deviceId,
          changeId,
          changeType,
          entityId,
          communityId,
          code,
        }),
      ];
    }
    default: {
      const unknown: never = event;
      throw new Error(`Not a notification source: ${JSON.stringify(unknown)}`);
    }
  }
}

function commentNotifications(
  data: Of<CommentEvent, 'CommentPosted'>['data'],
  facts: NotificationFacts,
): NotificationDraft[] {
  // A held comment is hidden from everyone but its author until a moderator restores it: telling
  // anyone about it would show what moderation is holding back.
  if (data.held === true) return [];
  const { commentId, videoId, authorId, parentId, rootId } = data;
  const drafts: NotificationDraft[] = [];
  if (parentId !== null && facts.parentCommentAuthorId) {
    drafts.push(
      draft(facts.parentCommentAuthorId, 'comment_replied', 'comment', parentId, authorId, {
        videoId,
        commentId,
        rootId,
      }),
    );
  }
  for (const mention of data.mentions) {
    drafts.push(draft(mention.userId, 'mentioned', 'comment', commentId, authorId, { videoId, commentId }));
  }
  if (facts.videoOwnerId) {
    drafts.push(draft(facts.videoOwnerId, 'video_commented', 'video', videoId, authorId, { commentId }));
  }
  return drafts;
}

/**
 * A post becomes visible to followers when it is created public, or first edited to public: each
 * post is announced once, so switching it private and back does not notify again.
 */
function videoPostedNotifications(
  event: Of<VideoPostEvent, 'VideoPostCreated' | 'VideoPostUpdated'>,
  facts: NotificationFacts,
): NotificationDraft[] {
  if (facts.videoAnnounced === true) return [];
  const ownerId = event.type === 'VideoPostCreated' ? event.data.ownerId : facts.videoOwnerId;
  if (!ownerId) return [];
  const visibility =
    event.type === 'VideoPostCreated' ? event.data.visibility : event.data.changes.visibility;
  if (visibility !== 'public') return [];
  if (event.type === 'VideoPostUpdated' && facts.videoVisibility === 'public') return [];
  const postId = event.data.postId;
  return (facts.followerIds ?? []).map((follower) =>
    draft(follower, 'followed_user_posted', 'video', postId, ownerId, {}),
  );
}

function toAuthor(
  facts: NotificationFacts,
  type: NotificationType,
  contentId: string,
  actorId: string | null,
  data: Record<string, unknown>,
): NotificationDraft[] {
  return facts.contentAuthorId
    ? [draft(facts.contentAuthorId, type, 'content', contentId, actorId, data)]
    : [];
}

function toUploader(
  facts: NotificationFacts,
  type: NotificationType,
  assetId: string,
  data: Record<string, unknown>,
): NotificationDraft[] {
  return facts.mediaOwnerId ? [draft(facts.mediaOwnerId, type, 'media', assetId, null, data)] : [];
}

/** What an overruled change was about: a membership's community, a post, else the person's account. */
function overruledSubject(
  changeType: string,
  entityId: string,
  communityId: string | null,
  userId: string,
): [NotificationSubject['kind'], string] {
  if ((changeType === 'community.join' || changeType === 'community.leave') && isUuid(entityId)) {
    return ['community', entityId];
  }
  if (communityId !== null && isUuid(entityId)) return ['community_post', entityId];
  return ['account', userId];
}

/** Brand actors are user ids or `system:<name>`; the system is nobody to name. */
function userOrNull(actor: string): string | null {
  return isUuid(actor) ? actor : null;
}

function draft(
  recipientId: string,
  type: NotificationType,
  subjectKind: NotificationSubject['kind'],
  subjectId: string,
  actorId: string | null,
  data: Record<string, unknown>,
): NotificationDraft {
  return { recipientId, type, subject: { kind: subjectKind, id: subjectId }, actorId, data };
}

/** Brand roles that may sign off a workflow step of the given role (an admin may sign off any step). */
export function rolesThatSignOff(stepRole: BrandRole): readonly BrandRole[] {
  return stepRole === 'admin' ? ['admin'] : ['approver', 'admin'];
}
