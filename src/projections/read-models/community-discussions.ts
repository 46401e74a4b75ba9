import type { EventCodec } from '../../commands/event-codec.ts';
import {
  type CommunityPostEvent,
  communityPostEventCatalogue,
} from '../../domain/communities/post-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { COMMUNITY_POSTS, DISCUSSION_KEYS } from './community-discussions-rows.ts';
import {
  DISCUSSION_PEOPLE,
  DISCUSSION_WRITERS,
  discussionWriterTables,
  dropErasedWriters,
  forgetWriter,
  isForgotten,
  listWords,
  personKey,
} from './community-discussions-writers.ts';
import { eraseListedRows, keyCountRow, keyListTables, listKey } from './community-key-lists.ts';
import { occurredAt } from './occurred-at.ts';

export const COMMUNITY_DISCUSSIONS_PROJECTION = 'community_discussions';

/** H1's event: read from its raw data (ids are never encrypted), so no catalogue is needed here. */
const COMMUNITY_ERASED = 'CommunityErased';
/** Identity's event, read the same way: only its `userId` is needed. */
const USER_FORGOTTEN = 'UserForgotten';

/**
 * Threads and replies of every community, one row per post keyed by (community, post). Positions
 * are the store's global positions: a post's `position` (its first event) orders replies oldest
 * first and threads newest first; a pinned thread's `pin_rank` is its pin's position (0 when not
 * pinned), so "pinned first, the latest pinned on top, then the newest" is one index order, and a
 * page's cursor is (pin_rank, position). Deleted and removed posts keep their row without words,
 * so a thread's replies still hang together; a removal keeps its reason for moderators. A
 * forgotten person's words (titles and bodies they wrote, reasons they gave for removals) are
 * emptied when `UserForgotten` is applied, and stored empty if read after it, which is what a
 * rebuild decodes once their keys are destroyed (community-discussions-writers.ts).
 */
export function communityDiscussionsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: COMMUNITY_DISCUSSIONS_PROJECTION,
    // 2: replies indexed by (community, thread, kind, position), read in order without a sort.
    // 3: posts listed in the shared community key lists (community-key-lists.ts).
    // 4: UserForgotten empties the person's words (posts listed per community and person).
    version: 4,
    eventTypes: [...Object.keys(communityPostEventCatalogue), COMMUNITY_ERASED, USER_FORGOTTEN],
    tables: {
      [COMMUNITY_POSTS]: {
        columns: `community_id uuid not null, post_id uuid not null, thread_id uuid not null,
          parent_id uuid, author_id uuid not null, kind text not null, depth int not null,
          title text, body text, status text not null, pinned boolean not null,
          pin_rank bigint not null, helpful boolean not null, helpful_by uuid,
          reply_count int not null, position bigint not null, created_at timestamptz not null,
          last_activity_at timestamptz not null, edited_at timestamptz, deleted_at timestamptz,
          removed_by uuid, removal_reason text, removed_at timestamptz`,
        primaryKey: ['community_id', 'post_id'],
        indexes: [
          "(community_id, pin_rank desc, position desc) where kind = 'thread'",
          '(community_id, thread_id, kind, position)',
          '(post_id)',
        ],
      },
      ...keyListTables(DISCUSSION_KEYS),
      ...discussionWriterTables,
    },
    async apply(recorded, writer) {
      if (recorded.type === COMMUNITY_ERASED) {
        const communityId = stringField(recorded, 'communityId');
        if (communityId) {
          await eraseListedRows(writer, DISCUSSION_KEYS, communityId, {
            tables: [DISCUSSION_WRITERS],
            rows: (_table, rows) => dropErasedWriters(writer, communityId, rows),
          });
        }
        return;
      }
      if (recorded.type === USER_FORGOTTEN) {
        const userId = stringField(recorded, 'userId');
        if (userId) await forgetWriter(writer, userId);
        return;
      }
      const decoded = await codec.decode(communityPostEventCatalogue, recorded);
      if (decoded)
        await applyPostEvent(decoded.event, writer, occurredAt(recorded), recorded.position.toString());
    },
    prefetch: (events) => events.flatMap(prefetchOf),
  };
}

const keyOf = (communityId: string, postId: string) => ({
  community_id: communityId.toLowerCase(),
  post_id: postId.toLowerCase(),
});

async function applyPostEvent(
  event: CommunityPostEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
): Promise<void> {
  const { communityId, postId } = event.data;
  const key = keyOf(communityId, postId);
  switch (event.type) {
    case 'CommunityThreadStarted':
    case 'CommunityReplyPosted': {
      const reply = event.type === 'CommunityReplyPosted' ? event.data : null;
      const silenced = await isForgotten(writer, event.data.authorId);
      writer.upsert(COMMUNITY_POSTS, {
        ...key,
        thread_id: (reply?.threadId ?? postId).toLowerCase(),
        parent_id: reply?.parentId.toLowerCase() ?? null,
        author_id: event.data.authorId.toLowerCase(),
        kind: reply ? 'reply' : 'thread',
        depth: reply?.depth ?? 0,
        title: event.type === 'CommunityThreadStarted' && !silenced ? event.data.title : null,
        body: silenced ? null : event.data.body,
        status: 'active',
        pinned: false,
        pin_rank: 0,
        helpful: false,
        helpful_by: null,
        reply_count: 0,
        position,
        created_at: at,
        last_activity_at: at,
        edited_at: null,
        deleted_at: null,
        removed_by: null,
        removal_reason: null,
        removed_at: null,
      });
      if (reply) {
        const thread = await writer.get(COMMUNITY_POSTS, keyOf(communityId, reply.threadId));
        if (thread) {
          writer.upsert(COMMUNITY_POSTS, {
            ...thread,
            reply_count: Number(thread.reply_count) + 1,
            last_activity_at: at,
          });
        }
      }
      await listKey(writer, DISCUSSION_KEYS, communityId, COMMUNITY_POSTS, key);
      await listWords(writer, communityId, event.data.authorId, postId);
      return;
    }
    case 'CommunityPostEdited': {
      const current = await writer.get(COMMUNITY_POSTS, key);
      // A post gone (deleted, removed) keeps no words, whatever edit is read after it; nor does a
      // forgotten author's post (an edit that raced the erasure).
      if (current?.status === 'active') {
        const silenced = await isForgotten(writer, event.data.authorId);
        writer.upsert(COMMUNITY_POSTS, {
          ...current,
          title: current.kind === 'thread' && !silenced ? event.data.title : null,
          body: silenced ? null : event.data.body,
          edited_at: at,
        });
      }
      return;
    }
    case 'CommunityPostDeleted':
      await writer.update(COMMUNITY_POSTS, key, {
        status: 'deleted',
        title: null,
        body: null,
        pinned: false,
        pin_rank: 0,
        deleted_at: at,
      });
      return;
    case 'CommunityPostRemoved': {
      const silenced = await isForgotten(writer, event.data.removedBy);
      await writer.update(COMMUNITY_POSTS, key, {
        status: 'removed',
        title: null,
        body: null,
        pinned: false,
        pin_rank: 0,
        removed_by: event.data.removedBy.toLowerCase(),
        removal_reason: silenced ? null : event.data.reason,
        removed_at: at,
      });
      // The reason is the remover's words, under their key: listed so forgetting them empties it.
      await listWords(writer, communityId, event.data.removedBy, postId);
      return;
    }
    case 'CommunityThreadPinned':
      await writer.update(COMMUNITY_POSTS, key, { pinned: true, pin_rank: position });
      return;
    case 'CommunityThreadUnpinned':
      await writer.update(COMMUNITY_POSTS, key, { pinned: false, pin_rank: 0 });
      return;
    case 'CommunityPostMarkedHelpful':
      await writer.update(COMMUNITY_POSTS, key, {
        helpful: true,
        helpful_by: event.data.markedBy.toLowerCase(),
      });
      return;
  }
}

function stringField(recorded: RecordedEvent, name: string): string | null {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return null;
  const value = Reflect.get(data, name);
  return typeof value === 'string' ? value : null;
}

/** The rows an event will read, from its raw data (ids are never encrypted). */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  if (recorded.type === USER_FORGOTTEN) {
    const userId = stringField(recorded, 'userId');
    return userId ? [{ table: DISCUSSION_PEOPLE, key: personKey(userId) }] : [];
  }
  const communityId = stringField(recorded, 'communityId');
  const postId = stringField(recorded, 'postId');
  if (communityId === null) return [];
  const counts = keyCountRow(DISCUSSION_KEYS, communityId);
  if (recorded.type === COMMUNITY_ERASED) return [counts];
  // Whose words the event carries: whether they were forgotten, and their list of posts.
  const writerId = stringField(recorded, recorded.type === 'CommunityPostRemoved' ? 'removedBy' : 'authorId');
  const writer = writerId
    ? [
        { table: DISCUSSION_PEOPLE, key: personKey(writerId) },
        {
          table: DISCUSSION_WRITERS,
          key: { community_id: communityId.toLowerCase(), user_id: writerId.toLowerCase() },
        },
      ]
    : [];
  if (recorded.type === 'CommunityThreadStarted') return [counts, ...writer];
  if (recorded.type === 'CommunityReplyPosted') {
    const threadId = stringField(recorded, 'threadId');
    const thread = threadId ? [{ table: COMMUNITY_POSTS, key: keyOf(communityId, threadId) }] : [];
    return [counts, ...writer, ...thread];
  }
  const post = postId ? [{ table: COMMUNITY_POSTS, key: keyOf(communityId, postId) }] : [];
  if (recorded.type === 'CommunityPostRemoved') return [counts, ...writer, ...post];
  if (recorded.type === 'CommunityPostEdited') return [...writer.slice(0, 1), ...post];
  return post;
}
