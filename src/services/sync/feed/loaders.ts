import type pg from 'pg';
import type { SyncEntityType } from '../../../domain/sync/change-types.ts';
import { winningAttempt } from '../../../domain/sync/checkpoint-winner.ts';

type Queryable = Pick<pg.Pool, 'query'>;
export type EntityData = Record<string, unknown>;

/**
 * What a device holds of each entity, read from the read models as they stand (not from the
 * feed, which has ids only), and only what `userId` may see: an id missing from the answer is one
 * they may not see or that is gone, and the feed sends it as a deletion. One query per entity
 * type for a whole page of ids.
 */
export type Loader = (
  pool: Queryable,
  userId: string,
  ids: readonly string[],
) => Promise<Map<string, EntityData>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Feed ids are text; the read models' are uuids, and a malformed one must not fail the query. */
const uuidsOf = (ids: readonly string[]) =>
  [...new Set(ids.map((id) => id.toLowerCase()))].filter((id) => UUID.test(id));

const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : null);

/** Runs `sql` with ($1 = user, $2 = the page's ids) and keys each row's data by its `id` column. */
function byId<RowType extends { id: string }>(sql: string, toData: (row: RowType) => EntityData): Loader {
  return async (pool, userId, ids) => {
    const wanted = uuidsOf(ids);
    const found = new Map<string, EntityData>();
    if (wanted.length === 0 || !UUID.test(userId.toLowerCase())) return found;
    const { rows } = await pool.query<RowType>(sql, [userId.toLowerCase(), wanted]);
    for (const row of rows) found.set(row.id, toData(row));
    return found;
  };
}

/** The person's own profile, until they are forgotten. */
const profile = byId<{ id: string; display_name: string | null; bio: string | null }>(
  `select user_id::text as id, display_name, bio from users
    where user_id = $1::uuid and user_id = any($2::uuid[]) and forgotten_at is null`,
  (row) => ({ displayName: row.display_name, bio: row.bio }),
);

/**
 * The learner's progress through a module: the highest percent reached (100 once completed), as
 * the progress read model keeps it per community, path, learner and module.
 */
const moduleProgress = byId<{
  id: string;
  community_id: string;
  path_id: string;
  percent: number;
  completed: boolean;
  client_time: string;
}>(
  `select module_id::text as id, community_id::text as community_id, path_id::text as path_id,
          percent, completed, client_time
     from community_module_progress where user_id = $1::uuid and module_id = any($2::uuid[])`,
  (row) => ({
    communityId: row.community_id,
    pathId: row.path_id,
    percent: row.completed ? 100 : row.percent,
    completed: row.completed,
    clientTime: row.client_time,
  }),
);

interface AttemptRow {
  checkpoint_id: string;
  community_id: string;
  attempt_id: string;
  client_time: string;
  score: number;
  max_score: number;
  passed: boolean | null;
}

/**
 * The learner's answer to a checkpoint as the conflict rule sees it: the attempts in the order they
 * were made, and the winner picked by the domain's one rule (checkpoint-winner.ts).
 */
const checkpointAnswer: Loader = async (pool, userId, ids) => {
  const found = new Map<string, EntityData>();
  const wanted = uuidsOf(ids);
  if (wanted.length === 0 || !UUID.test(userId.toLowerCase())) return found;
  const { rows } = await pool.query<AttemptRow>(
    `select checkpoint_id::text as checkpoint_id, community_id::text as community_id,
            attempt_id::text as attempt_id, client_time, score, max_score, passed
       from community_attempts where user_id = $1::uuid and checkpoint_id = any($2::uuid[])
      order by checkpoint_id, attempt_number`,
    [userId.toLowerCase(), wanted],
  );
  const byCheckpoint = new Map<string, AttemptRow[]>();
  for (const row of rows)
    byCheckpoint.set(row.checkpoint_id, [...(byCheckpoint.get(row.checkpoint_id) ?? []), row]);
  for (const [checkpointId, attempts] of byCheckpoint) {
    const winner = winningAttempt(attempts.map((row) => ({ ...row, clientTime: row.client_time })));
    if (winner === undefined) continue;
    found.set(checkpointId, {
      communityId: winner.community_id,
      attemptId: winner.attempt_id,
      clientTime: winner.client_time,
      score: winner.score,
      maxScore: winner.max_score,
      passed: winner.passed,
      attempts: attempts.length,
    });
  }
  return found;
};

/**
 * The person's standing in a community while it is one (a member, or asked or invited to be).
 * Only what the membership's own events change: a device holds nothing a record does not resend
 * (the community's name changes without a membership record, so it is not here).
 */
const membership = byId<{ id: string; status: string; role: string | null }>(
  `select m.community_id::text as id, m.status, m.role
     from community_members m
     join community_communities c on c.community_id = m.community_id and not c.erased
    where m.user_id = $1::uuid and m.community_id = any($2::uuid[])
      and m.status in ('member', 'requested', 'invited')`,
  (row) => ({ status: row.status, role: row.role }),
);

interface PostRow {
  id: string;
  community_id: string;
  thread_id: string;
  parent_id: string | null;
  author_id: string;
  kind: string;
  title: string | null;
  body: string | null;
  status: string;
  pinned: boolean;
  helpful: boolean;
  created_at: Date;
  edited_at: Date | null;
}

/**
 * A post standing in a community the person is a member of now. Only fields the post's own events
 * change: a reply count moves with the reply's events, which are records of the reply, so a device
 * counts replies itself rather than hold a count the feed would not refresh.
 */
const communityPost = byId<PostRow>(
  `select p.post_id::text as id, p.community_id::text as community_id, p.thread_id::text as thread_id,
          p.parent_id::text as parent_id, p.author_id::text as author_id, p.kind, p.title, p.body, p.status,
          p.pinned, p.helpful, p.created_at, p.edited_at
     from community_posts p
     join community_members m on m.community_id = p.community_id and m.user_id = $1::uuid and m.status = 'member'
     join community_communities c on c.community_id = p.community_id and not c.erased
    where p.post_id = any($2::uuid[]) and p.status = 'active'`,
  (row) => ({
    communityId: row.community_id,
    threadId: row.thread_id,
    parentId: row.parent_id,
    authorId: row.author_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    status: row.status,
    pinned: row.pinned,
    helpful: row.helpful,
    createdAt: iso(row.created_at),
    editedAt: iso(row.edited_at),
  }),
);

interface MessageRow {
  id: string;
  conversation_id: string;
  sender_id: string;
  text: string | null;
  reply_to_id: string | null;
  attachments: unknown;
  position: string;
  sent_at: Date;
  edited_at: Date | null;
}

/**
 * A message as chat shows it to a member (chat-facts.ts `messageVisibleTo`): sent since they
 * joined, not hidden for them nor, unless theirs, by moderators. A deleted one is sent as a
 * deletion: a device keeps no tombstones.
 */
const chatMessage = byId<MessageRow>(
  `select m.message_id::text as id, m.conversation_id::text as conversation_id, m.sender_id::text as sender_id,
          m.text, m.reply_to_id::text as reply_to_id, m.attachments, m.position::text as position,
          m.sent_at, m.edited_at
     from chat_messages m
     join chat_members cm on cm.conversation_id = m.conversation_id and cm.user_id = $1::uuid
    where m.message_id = any($2::uuid[]) and cm.active and m.position >= cm.joined_position
      and m.deleted_at is null
      and not exists (select 1 from chat_hidden_messages h where h.user_id = $1::uuid and h.message_id = m.message_id)
      and (m.sender_id = $1::uuid or not exists (
            select 1 from social_hidden s where s.target_kind = 'message' and s.target_id = m.message_id))`,
  (row) => ({
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    text: row.text,
    replyToId: row.reply_to_id,
    attachments: row.attachments,
    position: row.position,
    sentAt: iso(row.sent_at),
    editedAt: iso(row.edited_at),
  }),
);

interface ConflictRow {
  id: string;
  change_id: string;
  change_type: string;
  entity_id: string;
  device_id: string;
  community_id: string | null;
  base_version: number;
  server_version: number;
  device_value: unknown;
  server_value: unknown;
  status: string;
  resolution: string | null;
  queued_at: Date;
  resolved_at: Date | null;
}

/** The person's own sync conflicts (sync_conflicts read model). */
const syncConflict = byId<ConflictRow>(
  `select conflict_id::text as id, change_id, change_type, entity_id, device_id::text as device_id,
          community_id::text as community_id, base_version, server_version, device_value, server_value,
          status, resolution, queued_at, resolved_at
     from sync_conflicts where user_id = $1::uuid and conflict_id = any($2::uuid[])`,
  (row) => ({
    changeId: row.change_id,
    changeType: row.change_type,
    entityId: row.entity_id,
    deviceId: row.device_id,
    communityId: row.community_id,
    baseVersion: row.base_version,
    serverVersion: row.server_version,
    deviceValue: row.device_value,
    serverValue: row.server_value,
    status: row.status,
    resolution: row.resolution,
    queuedAt: iso(row.queued_at),
    resolvedAt: iso(row.resolved_at),
  }),
);

/** One loader per entity type a device holds ('scope' records carry no data: they re-seed). */
export const LOADERS: Readonly<Record<Exclude<SyncEntityType, 'scope'>, Loader>> = {
  profile,
  moduleProgress,
  checkpointAnswer,
  membership,
  communityPost,
  chatMessage,
  syncConflict,
};

/**
 * The read models (projections) each loader reads: a record is sent only once every one of them
 * that handles the event it was made from has applied it (cursor.ts), so the data it points at is
 * there to load. A loader that reads a new table names that table's projection here, and an event
 * that changes what a loader returns must make a feed record (as moderation's hiding of a message
 * does), or the devices holding the entity would not learn of it.
 */
export const LOADER_READ_MODELS: Readonly<Record<Exclude<SyncEntityType, 'scope'>, readonly string[]>> = {
  profile: ['users'],
  moduleProgress: ['community_progress'],
  checkpointAnswer: ['community_progress'],
  // community_members and community_communities
  membership: ['communities'],
  // community_posts, joined with the membership and the community's erasure
  communityPost: ['community_discussions', 'communities'],
  // chat_messages, chat_members, chat_hidden_messages; social_hidden (moderators' hiding)
  chatMessage: ['chat', 'social_moderation'],
  syncConflict: ['sync_conflicts'],
};

/** Every read model a loader reads. */
export const LOADED_READ_MODELS: readonly string[] = [...new Set(Object.values(LOADER_READ_MODELS).flat())];
