import type { NotificationType } from './notification-types.ts';

/** What the inbox, a push and an e-mail need to show one notification. */
export interface NotificationDescription {
  title: string;
  body: string;
  /** App-relative link, e.g. `/videos/<id>`. */
  path: string;
}

export interface DescribableNotification {
  type: NotificationType;
  /** The kept actors' display names, latest first; null for a person forgotten or unnamed. */
  actorNames: readonly (string | null)[];
  actorCount: number;
  subjectKind: string;
  subjectId: string;
  /** The row's data (ids and non-personal facts; `count` for a group). */
  data: unknown;
}

/**
 * The words of a notification, in one place for the inbox API, push and e-mail. Built at read time
 * from ids and the names as they are now, so a renamed person reads with their new name and a
 * forgotten one as "Someone"; nothing written by people (messages, reasons) is ever shown here.
 */
export function describeNotification(n: DescribableNotification): NotificationDescription {
  const who = actors(n.actorNames, n.actorCount);
  const data = fields(n.data);
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : '');
  const count = typeof data.count === 'number' && data.count > 1 ? data.count : 1;
  const id = n.subjectId;
  switch (n.type) {
    case 'video_liked':
      return { title: 'New likes', body: `${who} liked your video`, path: `/videos/${id}` };
    case 'video_commented':
      return {
        title: 'New comments',
        body:
          count > 1 ? `${who} commented on your video (${count} comments)` : `${who} commented on your video`,
        path: commentPath(text('videoId') || id, text('commentId')),
      };
    case 'comment_replied':
      return {
        title: 'New replies',
        body: `${who} replied to your comment`,
        path: commentPath(text('videoId'), text('commentId') || id),
      };
    case 'mentioned':
      return {
        title: 'You were mentioned',
        body: `${who} mentioned you in a comment`,
        path: commentPath(text('videoId'), id),
      };
    case 'new_follower':
      return { title: 'New followers', body: `${who} started following you`, path: '/me/followers' };
    case 'followed_user_posted':
      return { title: 'New video', body: `${who} posted a new video`, path: `/videos/${id}` };
    case 'chat_message':
      return {
        title: 'New messages',
        body: count > 1 ? `${who} sent ${count} new messages` : `${who} sent you a message`,
        path: `/chats/${id}`,
      };
    case 'community_invited':
      return {
        title: 'Community invitation',
        body: `${who} invited you to join a community`,
        path: `/communities/${id}`,
      };
    case 'community_join_requested':
      return {
        title: 'Requests to join',
        body: `${who} asked to join your community`,
        path: `/communities/${id}/requests`,
      };
    case 'community_post_helpful':
      return {
        title: 'Your post helped',
        body: `${who} marked your post helpful`,
        path: postPath(text('communityId'), text('threadId'), id),
      };
    case 'community_post_removed':
      return {
        title: 'Post removed',
        body: 'A moderator removed one of your posts',
        path: postPath(text('communityId'), text('threadId'), id),
      };
    case 'checkpoint_graded': {
      const outcome = data.passed === true ? 'passed' : 'not passed yet';
      return {
        title: 'Checkpoint graded',
        body: `${who} graded your checkpoint: ${outcome}`,
        path: `/communities/${text('communityId')}/checkpoints/${text('checkpointId')}`,
      };
    }
    case 'mentor_offered':
      return {
        title: 'Mentoring request',
        body: `${who} is looking for a mentor: would you help?`,
        path: `/mentorship/requests/${id}`,
      };
    case 'match_made':
      return {
        title: 'You have a match',
        body: data.role === 'mentor' ? `You are now mentoring ${who}` : `${who} is now your mentor`,
        path: `/mentorship/requests/${id}`,
      };
    case 'session_scheduled':
      return {
        title: 'Session scheduled',
        body: `${who} scheduled a mentorship session for ${when(text('startsAt'))}`,
        path: `/mentorship/sessions/${id}`,
      };
    case 'session_cancelled':
      return {
        title: 'Session cancelled',
        body: `${who} cancelled your mentorship session`,
        path: `/mentorship/sessions/${id}`,
      };
    case 'session_reminder':
      return {
        title: 'Session soon',
        body: `Your mentorship session starts ${data.lead === '15m' ? 'in 15 minutes' : 'in 24 hours'} (${when(text('startsAt'))})`,
        path: `/mentorship/sessions/${id}`,
      };
    case 'content_review_requested':
      return {
        title: 'Review requested',
        body: `${who} asks for your review${text('stepName') ? ` (${text('stepName')})` : ''}`,
        path: `/content/${id}`,
      };
    case 'content_approved':
      return { title: 'Content approved', body: 'Your content was approved', path: `/content/${id}` };
    case 'content_rejected':
      return {
        title: 'Changes requested',
        body: `${who} sent your content back for changes`,
        path: `/content/${id}`,
      };
    case 'content_published':
      return { title: 'Published', body: 'Your content was published', path: `/content/${id}` };
    case 'content_publish_failed':
      return {
        title: 'Publishing failed',
        body: 'Your content could not be published',
        path: `/content/${id}`,
      };
    case 'media_ready':
      return {
        title: 'Upload ready',
        body: 'Your upload has been processed and is ready',
        path: `/media/${id}`,
      };
    case 'media_failed':
      return { title: 'Upload failed', body: 'Your upload could not be processed', path: `/media/${id}` };
    case 'sync_conflict_queued':
      return {
        title: 'Offline edit needs you',
        body: 'An edit you made offline met a newer version. Choose which to keep.',
        path: `/sync/conflicts/${id}`,
      };
    case 'sync_change_overruled':
      return {
        title: 'Offline change not applied',
        body: `Something you did offline (${SYNC_CHANGE_LABELS[text('changeType')] ?? 'a change'}) could not be applied: things moved on while you were away.`,
        path: overruledPath(n.subjectKind, id, text('communityId')),
      };
    case 'password_reset':
      return {
        title: 'Your password was reset',
        body: 'Your password was reset and every session signed out. If this was not you, contact support at once.',
        path: '/settings/security',
      };
    case 'new_sign_in':
      return {
        title: 'New sign-in',
        body: `New sign-in to your account${text('device') ? ` from ${text('device')}` : ''}. If this was not you, reset your password.`,
        path: '/settings/security',
      };
    case 'passkey_added':
      return {
        title: 'Passkey added',
        body: 'A passkey was added to your account. If this was not you, remove it and reset your password.',
        path: '/settings/security',
      };
    default: {
      const unknown: never = n.type;
      throw new Error(`No description for notification type ${String(unknown)}`);
    }
  }
}

/** An offline change in words, by its sync change type. */
const SYNC_CHANGE_LABELS: Readonly<Record<string, string>> = {
  'community.join': 'joining a community',
  'community.leave': 'leaving a community',
  'community.reply': 'a reply',
  'community.markHelpful': 'marking a reply helpful',
  'post.edit': 'a post edit',
  'checkpoint.answer': 'checkpoint answers',
  'module.progress': 'module progress',
  'profile.update': 'a profile change',
  'chat.message': 'a chat message',
};

const overruledPath = (subjectKind: string, id: string, communityId: string) => {
  if (subjectKind === 'community') return `/communities/${id}`;
  if (subjectKind === 'community_post') return `/communities/${communityId}/posts/${id}`;
  return '/settings/devices';
};

/** "Ada", "Ada and Ben", "Ada and 12 others"; a null name reads "Someone". */
export function actors(names: readonly (string | null)[], count: number): string {
  const [first, second] = names.map((name) => (name && name.trim() !== '' ? name : 'Someone'));
  const lead = first ?? 'Someone';
  if (count <= 1) return lead;
  if (count === 2) return `${lead} and ${second ?? 'someone else'}`;
  return `${lead} and ${count - 1} others`;
}

const fields = (data: unknown): Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};

const commentPath = (videoId: string, commentId: string) =>
  videoId ? `/videos/${videoId}?comment=${commentId}` : `/comments/${commentId}`;

const postPath = (communityId: string, threadId: string, postId: string) =>
  `/communities/${communityId}/threads/${threadId}?post=${postId}`;

/** An instant as UTC text: the recipient's zone is the client's to apply. */
const when = (iso: string) => {
  const at = Date.parse(iso);
  return Number.isNaN(at)
    ? 'the agreed time'
    : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};
