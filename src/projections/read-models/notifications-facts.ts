import type { WorkflowStep } from '../../domain/brands/brand-values.ts';
import {
  type NotificationFacts,
  type NotificationSourceEvent,
  rolesThatSignOff,
} from '../../domain/notifications/notification-rules.ts';
import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';
import {
  appendId,
  headKey,
  type IdLists,
  idListTables,
  readBuckets,
  readHead,
  removeId,
} from './notifications-lists.ts';

/**
 * The facts the notification rules need beyond the event itself, kept by the `notifications`
 * projection in tables of its own, from events: a rebuild derives the same rows whatever other
 * read models hold, and no other projection's schema change can break it.
 */
export const FOLLOWERS: IdLists = {
  heads: 'notification_follower_heads',
  buckets: 'notification_follower_buckets',
};
export const FOLLOWS = 'notification_follows';
export const VIDEOS = 'notification_videos';
export const COMMENTS = 'notification_comments';
export const CONVERSATIONS = 'notification_conversations';
export const COMMUNITY_STAFF = 'notification_community_staff';
export const CONTENTS = 'notification_contents';
export const BRAND_MEMBERS = 'notification_brand_members';
export const MEDIA = 'notification_media';
export const SESSIONS = 'notification_sessions';

export const FACT_TABLES: Record<string, ReadModelTable> = {
  ...idListTables(FOLLOWERS),
  /** Who follows whom, and which bucket of the followee's list holds the follower. */
  [FOLLOWS]: {
    columns: 'followee_id uuid not null, follower_id uuid not null, bucket int not null',
    primaryKey: ['followee_id', 'follower_id'],
  },
  [VIDEOS]: {
    columns:
      'post_id uuid not null, owner_id uuid not null, visibility text not null, announced boolean not null',
    primaryKey: ['post_id'],
  },
  [COMMENTS]: { columns: 'comment_id uuid not null, author_id uuid not null', primaryKey: ['comment_id'] },
  /** Members (at most 256) → muted. */
  [CONVERSATIONS]: {
    columns: 'conversation_id uuid not null, members jsonb not null',
    primaryKey: ['conversation_id'],
  },
  /** Owners and moderators → role. */
  [COMMUNITY_STAFF]: {
    columns: 'community_id uuid not null, staff jsonb not null',
    primaryKey: ['community_id'],
  },
  /** `steps`: the workflow the current version was submitted to. */
  [CONTENTS]: {
    columns:
      'content_id uuid not null, brand_id uuid not null, author_id text not null, steps jsonb not null',
    primaryKey: ['content_id'],
  },
  /** Members → brand role. */
  [BRAND_MEMBERS]: { columns: 'brand_id uuid not null, members jsonb not null', primaryKey: ['brand_id'] },
  [MEDIA]: { columns: 'asset_id uuid not null, owner_id uuid not null', primaryKey: ['asset_id'] },
  [SESSIONS]: {
    columns: 'session_id uuid not null, mentor_id uuid not null, learner_id uuid not null',
    primaryKey: ['session_id'],
  },
};

/** Events that only feed the facts (the sources feed them too where they carry one). */
export const FACT_EVENT_TYPES = [
  'UserUnfollowed',
  'UserBlocked',
  'VideoPostDeleted',
  'ChatConversationStarted',
  'ChatMembersAdded',
  'ChatMemberRemoved',
  'ChatMemberLeft',
  'ChatMemberSettingsChanged',
  'CommunityMemberJoined',
  'CommunityMemberRoleChanged',
  'CommunityMemberLeft',
  'CommunityMemberBanned',
  'CommunityErased',
  'ContentCreated',
  'BrandMemberAdded',
  'BrandMemberRoleChanged',
  'BrandMemberRemoved',
  'MediaUploadRequested',
] as const;

/** An event's data as stored: ids are never encrypted, so facts read them without decoding. */
export type RawData = Record<string, unknown>;

export const str = (data: RawData, name: string): string | null => {
  const value = data[name];
  return typeof value === 'string' ? value.toLowerCase() : null;
};
const strs = (data: RawData, name: string): string[] => {
  const value = data[name];
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase())
    : [];
};
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** Facts kept one row per id, and the events that name the id (field) whose row they read. */
const KEYED_FACTS: readonly { table: string; column: string; field: string; types: readonly string[] }[] = [
  {
    table: VIDEOS,
    column: 'post_id',
    field: 'postId',
    types: ['VideoPostCreated', 'VideoPostUpdated', 'VideoPostDeleted'],
  },
  { table: VIDEOS, column: 'post_id', field: 'videoId', types: ['CommentPosted'] },
  { table: COMMENTS, column: 'comment_id', field: 'parentId', types: ['CommentPosted'] },
  {
    table: CONVERSATIONS,
    column: 'conversation_id',
    field: 'conversationId',
    types: [
      'ChatMessageSent',
      'ChatConversationStarted',
      'ChatMembersAdded',
      'ChatMemberRemoved',
      'ChatMemberLeft',
      'ChatMemberSettingsChanged',
    ],
  },
  {
    table: COMMUNITY_STAFF,
    column: 'community_id',
    field: 'communityId',
    types: [
      'CommunityJoinRequested',
      'CommunityMemberJoined',
      'CommunityMemberRoleChanged',
      'CommunityMemberLeft',
      'CommunityMemberBanned',
    ],
  },
  {
    table: CONTENTS,
    column: 'content_id',
    field: 'contentId',
    types: [
      'ContentSubmitted',
      'ContentStepApproved',
      'ContentApproved',
      'ContentRejected',
      'ContentPublished',
      'ContentPublishFailed',
    ],
  },
  {
    table: BRAND_MEMBERS,
    column: 'brand_id',
    field: 'brandId',
    types: ['BrandMemberAdded', 'BrandMemberRoleChanged', 'BrandMemberRemoved'],
  },
  { table: MEDIA, column: 'asset_id', field: 'assetId', types: ['MediaReady', 'MediaProcessingFailed'] },
  { table: SESSIONS, column: 'session_id', field: 'sessionId', types: ['MentorshipSessionCancelled'] },
];

/** The fact rows an event reads, named from its raw data: for the batch's prefetch. */
export function factRowsOf(type: string, data: RawData): { table: string; key: Row }[] {
  const rows: { table: string; key: Row }[] = [];
  for (const { table, column, field, types } of KEYED_FACTS) {
    const id = types.includes(type) ? str(data, field) : null;
    if (id !== null) rows.push({ table, key: { [column]: id } });
  }
  switch (type) {
    case 'UserFollowed':
    case 'UserUnfollowed': {
      const [follower, followee] = [str(data, 'followerId'), str(data, 'followeeId')];
      if (follower && followee)
        rows.push({ table: FOLLOWS, key: { followee_id: followee, follower_id: follower } });
      if (followee) rows.push(headKey(FOLLOWERS, followee));
      break;
    }
    case 'UserBlocked': {
      const [blocker, blocked] = [str(data, 'blockerId'), str(data, 'blockedId')];
      if (blocker && blocked) {
        rows.push({ table: FOLLOWS, key: { followee_id: blocker, follower_id: blocked } });
        rows.push({ table: FOLLOWS, key: { followee_id: blocked, follower_id: blocker } });
      }
      break;
    }
    case 'VideoPostCreated': {
      const ownerId = str(data, 'ownerId');
      if (ownerId) rows.push(headKey(FOLLOWERS, ownerId));
      break;
    }
  }
  return rows;
}

/** Keeps the facts an event carries (called for every handled event, sources included, after the rules ran). */
export async function recordFacts(writer: ReadModelWriter, type: string, data: RawData): Promise<void> {
  switch (type) {
    case 'UserFollowed':
      return follow(writer, str(data, 'followeeId'), str(data, 'followerId'));
    case 'UserUnfollowed':
      return unfollow(writer, str(data, 'followeeId'), str(data, 'followerId'));
    case 'UserBlocked': {
      // The follow context ends follows both ways with UserUnfollowed; this only makes sure.
      const [blocker, blocked] = [str(data, 'blockerId'), str(data, 'blockedId')];
      await unfollow(writer, blocker, blocked);
      return unfollow(writer, blocked, blocker);
    }
    case 'VideoPostCreated': {
      const postId = str(data, 'postId');
      const ownerId = str(data, 'ownerId');
      if (!postId || !ownerId) return;
      const visibility = String(data.visibility);
      writer.upsert(VIDEOS, {
        post_id: postId,
        owner_id: ownerId,
        visibility,
        announced: visibility === 'public',
      });
      return;
    }
    case 'VideoPostUpdated': {
      const postId = str(data, 'postId');
      const visibility = record(data.changes).visibility;
      if (!postId || typeof visibility !== 'string') return;
      const row = await writer.get(VIDEOS, { post_id: postId });
      if (row) {
        writer.upsert(VIDEOS, {
          ...row,
          visibility,
          announced: row.announced === true || visibility === 'public',
        });
      }
      return;
    }
    case 'VideoPostDeleted': {
      const postId = str(data, 'postId');
      if (postId) writer.delete(VIDEOS, { post_id: postId });
      return;
    }
    case 'CommentPosted': {
      const [commentId, authorId] = [str(data, 'commentId'), str(data, 'authorId')];
      if (commentId && authorId) writer.upsert(COMMENTS, { comment_id: commentId, author_id: authorId });
      return;
    }
    case 'ChatConversationStarted':
    case 'ChatMembersAdded':
      return changeConversation(writer, data, (members) => {
        for (const id of strs(data, 'memberIds')) members[id] = members[id] ?? false;
      });
    case 'ChatMemberRemoved':
    case 'ChatMemberLeft':
      return changeConversation(writer, data, (members) => {
        delete members[str(data, 'memberId') ?? ''];
      });
    case 'ChatMemberSettingsChanged':
      return changeConversation(writer, data, (members) => {
        const userId = str(data, 'userId') ?? '';
        if (Object.hasOwn(members, userId)) members[userId] = data.muted === true;
      });
    case 'CommunityMemberJoined':
    case 'CommunityMemberRoleChanged':
      return changeStaff(writer, data, (staff, userId) => {
        if (data.role === 'owner' || data.role === 'moderator') staff[userId] = String(data.role);
        else delete staff[userId];
      });
    case 'CommunityMemberLeft':
    case 'CommunityMemberBanned':
      return changeStaff(writer, data, (staff, userId) => {
        delete staff[userId];
      });
    case 'CommunityErased': {
      const communityId = str(data, 'communityId');
      if (communityId) writer.delete(COMMUNITY_STAFF, { community_id: communityId });
      return;
    }
    case 'ContentCreated': {
      const [contentId, brandId, authorId] = [
        str(data, 'contentId'),
        str(data, 'brandId'),
        str(data, 'authorId'),
      ];
      if (contentId && brandId && authorId) {
        writer.upsert(CONTENTS, { content_id: contentId, brand_id: brandId, author_id: authorId, steps: [] });
      }
      return;
    }
    case 'ContentSubmitted': {
      const contentId = str(data, 'contentId');
      if (!contentId) return;
      const steps = Array.isArray(data.steps) ? data.steps : [];
      await writer.update(CONTENTS, { content_id: contentId }, { steps });
      return;
    }
    case 'BrandMemberAdded':
    case 'BrandMemberRoleChanged':
    case 'BrandMemberRemoved': {
      const [brandId, userId] = [str(data, 'brandId'), str(data, 'userId')];
      if (!brandId || !userId) return;
      const row = await writer.get(BRAND_MEMBERS, { brand_id: brandId });
      const members = { ...record(row?.members) };
      if (type === 'BrandMemberRemoved') delete members[userId];
      else members[userId] = String(data.role ?? 'viewer');
      writer.upsert(BRAND_MEMBERS, { brand_id: brandId, members });
      return;
    }
    case 'MediaUploadRequested': {
      const [assetId, ownerId] = [str(data, 'assetId'), str(data, 'ownerId')];
      if (assetId && ownerId) writer.upsert(MEDIA, { asset_id: assetId, owner_id: ownerId });
      return;
    }
    case 'MentorshipSessionScheduled': {
      const [sessionId, mentorId, learnerId] = [
        str(data, 'sessionId'),
        str(data, 'mentorId'),
        str(data, 'learnerId'),
      ];
      if (sessionId && mentorId && learnerId) {
        writer.upsert(SESSIONS, { session_id: sessionId, mentor_id: mentorId, learner_id: learnerId });
      }
      return;
    }
  }
}

async function follow(
  writer: ReadModelWriter,
  followee: string | null,
  follower: string | null,
): Promise<void> {
  if (!followee || !follower) return;
  const key = { followee_id: followee, follower_id: follower };
  if (await writer.get(FOLLOWS, key)) return;
  const head = await readHead(writer, FOLLOWERS, followee);
  const { bucket } = appendId(writer, FOLLOWERS, head, follower);
  writer.upsert(FOLLOWS, { ...key, bucket });
}

async function unfollow(
  writer: ReadModelWriter,
  followee: string | null,
  follower: string | null,
): Promise<void> {
  if (!followee || !follower) return;
  const key = { followee_id: followee, follower_id: follower };
  const row = await writer.get(FOLLOWS, key);
  if (!row) return;
  await removeId(writer, FOLLOWERS, followee, Number(row.bucket), follower);
  writer.delete(FOLLOWS, key);
}

async function changeConversation(
  writer: ReadModelWriter,
  data: RawData,
  change: (members: Record<string, boolean>) => void,
): Promise<void> {
  const conversationId = str(data, 'conversationId');
  if (!conversationId) return;
  const row = await writer.get(CONVERSATIONS, { conversation_id: conversationId });
  const members = Object.fromEntries(
    Object.entries(record(row?.members)).map(([id, muted]) => [id, muted === true]),
  );
  change(members);
  writer.upsert(CONVERSATIONS, { conversation_id: conversationId, members });
}

async function changeStaff(
  writer: ReadModelWriter,
  data: RawData,
  change: (staff: Record<string, string>, userId: string) => void,
): Promise<void> {
  const [communityId, userId] = [str(data, 'communityId'), str(data, 'userId')];
  if (!communityId || !userId) return;
  const row = await writer.get(COMMUNITY_STAFF, { community_id: communityId });
  const staff = Object.fromEntries(
    Object.entries(record(row?.staff)).map(([id, role]) => [id, String(role)]),
  );
  change(staff, userId);
  writer.upsert(COMMUNITY_STAFF, { community_id: communityId, staff });
}

/** The facts the rules need for a source event, from the tables above (as this batch has left them). */
export async function factsFor(
  writer: ReadModelWriter,
  event: NotificationSourceEvent,
): Promise<NotificationFacts> {
  switch (event.type) {
    case 'CommentPosted': {
      const video = await writer.get(VIDEOS, { post_id: event.data.videoId.toLowerCase() });
      const parent = event.data.parentId
        ? await writer.get(COMMENTS, { comment_id: event.data.parentId.toLowerCase() })
        : undefined;
      return {
        videoOwnerId: typeof video?.owner_id === 'string' ? video.owner_id : null,
        parentCommentAuthorId: typeof parent?.author_id === 'string' ? parent.author_id : null,
      };
    }
    case 'VideoPostCreated':
    case 'VideoPostUpdated': {
      const video = await writer.get(VIDEOS, { post_id: event.data.postId.toLowerCase() });
      const ownerId =
        event.type === 'VideoPostCreated'
          ? event.data.ownerId.toLowerCase()
          : (video?.owner_id as string | undefined);
      const facts: NotificationFacts = {
        videoOwnerId: ownerId ?? null,
        videoAnnounced: video?.announced === true,
        videoVisibility: typeof video?.visibility === 'string' ? video.visibility : null,
      };
      const visibility =
        event.type === 'VideoPostCreated' ? event.data.visibility : event.data.changes.visibility;
      // Followers are read only when the post is about to be announced: most edits announce nothing.
      if (!ownerId || visibility !== 'public' || facts.videoAnnounced) return facts;
      const head = await readHead(writer, FOLLOWERS, ownerId);
      const buckets = await readBuckets(writer, FOLLOWERS, head);
      return { ...facts, followerIds: buckets.flatMap((bucket) => bucket.ids) };
    }
    case 'ChatMessageSent': {
      const row = await writer.get(CONVERSATIONS, {
        conversation_id: event.data.conversationId.toLowerCase(),
      });
      const members = Object.entries(record(row?.members)).map(([userId, muted]) => ({
        userId,
        muted: muted === true,
      }));
      return { chatMembers: members };
    }
    case 'CommunityJoinRequested': {
      const row = await writer.get(COMMUNITY_STAFF, { community_id: event.data.communityId.toLowerCase() });
      return { communityStaffIds: Object.keys(record(row?.staff)) };
    }
    case 'ContentSubmitted':
    case 'ContentStepApproved': {
      const content = await writer.get(CONTENTS, { content_id: event.data.contentId.toLowerCase() });
      if (!content) return {};
      const steps: WorkflowStep[] =
        event.type === 'ContentSubmitted'
          ? event.data.steps
          : ((content.steps as WorkflowStep[] | undefined) ?? []);
      const due = event.type === 'ContentSubmitted' ? 0 : event.data.step + 1;
      const step = steps[due];
      if (!step) return { nextStep: null };
      const brand = await writer.get(BRAND_MEMBERS, { brand_id: String(content.brand_id) });
      const roles = rolesThatSignOff(step.role);
      const reviewerIds = Object.entries(record(brand?.members))
        .filter(([, role]) => roles.includes(role as WorkflowStep['role']))
        .map(([userId]) => userId);
      return { reviewerIds, nextStep: { step: due, name: step.name } };
    }
    case 'ContentApproved':
    case 'ContentRejected':
    case 'ContentPublished':
    case 'ContentPublishFailed': {
      const content = await writer.get(CONTENTS, { content_id: event.data.contentId.toLowerCase() });
      return { contentAuthorId: typeof content?.author_id === 'string' ? content.author_id : null };
    }
    case 'MediaReady':
    case 'MediaProcessingFailed': {
      const media = await writer.get(MEDIA, { asset_id: event.data.assetId.toLowerCase() });
      return { mediaOwnerId: typeof media?.owner_id === 'string' ? media.owner_id : null };
    }
    case 'MentorshipSessionCancelled': {
      const session = await writer.get(SESSIONS, { session_id: event.data.sessionId.toLowerCase() });
      return session
        ? { sessionParticipantIds: [String(session.mentor_id), String(session.learner_id)] }
        : {};
    }
    default:
      return {};
  }
}
