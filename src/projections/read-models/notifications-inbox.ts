import {
  groupKeyOf,
  type InboxEntry,
  isGroupedType,
  placeDraft,
  type SourceOfDraft,
} from '../../domain/notifications/grouping.ts';
import type { NotificationDraft } from '../../domain/notifications/notification-rules.ts';
import { isNotificationType } from '../../domain/notifications/notification-types.ts';
import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';
import {
  appendId,
  deleteList,
  headKey,
  type IdLists,
  idListTables,
  readBuckets,
  readHead,
} from './notifications-lists.ts';
import { placementFor, recipientFactsKey } from './notifications-recipients.ts';

export const NOTIFICATION_INBOX = 'notification_inbox';
export const NOTIFICATION_UNREAD_COUNTS = 'notification_unread_counts';
/** (recipient, type, group key) → the unread group new events of that kind fold into. */
export const NOTIFICATION_OPEN_GROUPS = 'notification_open_groups';
/** Every notification of a recipient, in the order created: for "mark all read" and for erasure. */
export const RECIPIENT_LISTS: IdLists = {
  heads: 'notification_recipient_heads',
  buckets: 'notification_recipient_buckets',
};

export const INBOX_TABLES: Record<string, ReadModelTable> = {
  [NOTIFICATION_INBOX]: {
    columns: `recipient_id uuid not null, notification_id uuid not null, type text not null,
      subject_kind text not null, subject_id text not null, group_key text not null,
      actor_ids uuid[] not null, actor_count integer not null, data jsonb not null,
      source_event_id uuid not null, source_position bigint not null, last_source_event_id uuid not null,
      created_at timestamptz not null, updated_at timestamptz not null, read_at timestamptz,
      in_app boolean not null`,
    primaryKey: ['recipient_id', 'notification_id'],
    // `in_app` false: the recipient switched the type's in-app channel off but push or e-mail is on.
    // The row is there for the delivery saga (it plans from inbox rows) and nowhere else: not in
    // the inbox, the unread count, the live feed or "mark all read".
    indexes: [
      // The inbox page, newest activity first, and its cursor.
      '(recipient_id, updated_at desc, notification_id desc)',
      // The rows one event created: what the delivery saga sends.
      '(source_event_id)',
      // A person's unread group of one kind about one subject.
      '(recipient_id, type, group_key) where read_at is null',
    ],
  },
  [NOTIFICATION_UNREAD_COUNTS]: {
    columns: 'recipient_id uuid not null, unread integer not null',
    primaryKey: ['recipient_id'],
  },
  [NOTIFICATION_OPEN_GROUPS]: {
    columns:
      'recipient_id uuid not null, type text not null, group_key text not null, notification_id uuid not null',
    primaryKey: ['recipient_id', 'type', 'group_key'],
  },
  // `unread_from`: the first sealed bucket that may still hold an unread notification, so marking
  // all read does not walk a long-read history again.
  ...idListTables(RECIPIENT_LISTS, ', unread_from int not null default 0'),
};

const iso = (value: unknown): string => new Date(String(value)).toISOString();

function entryOf(row: Row): InboxEntry {
  return {
    notificationId: String(row.notification_id),
    recipientId: String(row.recipient_id),
    type: row.type as InboxEntry['type'],
    subjectKind: row.subject_kind as InboxEntry['subjectKind'],
    subjectId: String(row.subject_id),
    groupKey: String(row.group_key),
    actorIds: Array.isArray(row.actor_ids) ? row.actor_ids.map(String) : [],
    actorCount: Number(row.actor_count),
    data: (row.data ?? {}) as Record<string, unknown>,
    sourceEventId: String(row.source_event_id),
    sourcePosition: String(row.source_position),
    lastSourceEventId: String(row.last_source_event_id),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    readAt: row.read_at == null ? null : iso(row.read_at),
  };
}

function rowOf(entry: InboxEntry, inApp: boolean): Row {
  return {
    recipient_id: entry.recipientId,
    notification_id: entry.notificationId,
    type: entry.type,
    subject_kind: entry.subjectKind,
    subject_id: entry.subjectId,
    group_key: entry.groupKey,
    actor_ids: entry.actorIds,
    actor_count: entry.actorCount,
    data: entry.data,
    source_event_id: entry.sourceEventId,
    source_position: entry.sourcePosition,
    last_source_event_id: entry.lastSourceEventId,
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
    read_at: entry.readAt,
    in_app: inApp,
  };
}

const inboxKey = (recipientId: string, notificationId: string) => ({
  recipient_id: recipientId,
  notification_id: notificationId,
});
const countKey = (recipientId: string) => ({ recipient_id: recipientId });
const openGroupKey = (recipientId: string, type: string, groupKey: string) => ({
  recipient_id: recipientId,
  type,
  group_key: groupKey,
});

/**
 * The rows delivering to a recipient reads (head, count, and the open group for a grouped type),
 * for a prefetch or a bulk load.
 */
export function recipientRows(
  recipientId: string,
  type?: string,
  groupKey?: string,
): { table: string; key: Row }[] {
  const rows = [
    headKey(RECIPIENT_LISTS, recipientId),
    recipientFactsKey(recipientId),
    { table: NOTIFICATION_UNREAD_COUNTS, key: countKey(recipientId) },
  ];
  if (type && groupKey && isNotificationType(type) && isGroupedType(type)) {
    rows.push({ table: NOTIFICATION_OPEN_GROUPS, key: openGroupKey(recipientId, type, groupKey) });
  }
  return rows;
}

/** Above this many recipients, their rows are read in bulk (a query per table) rather than one by one. */
const BULK_FROM = 4;

/**
 * Puts an event's drafts into the inboxes: each folds into its recipient's unread group or
 * becomes a new row (counted unread and listed); none for a forgotten recipient or one who
 * switched every channel of the type off, a hidden one (see `in_app`) for in-app off. A fan-out to 10,000 followers reads its
 * recipients' rows in a few queries, whatever their number.
 */
export async function deliverDrafts(
  writer: ReadModelWriter,
  drafts: readonly NotificationDraft[],
  source: SourceOfDraft,
): Promise<void> {
  if (drafts.length >= BULK_FROM) {
    await writer.load(drafts.flatMap((d) => recipientRows(d.recipientId, d.type, groupKeyOf(d.subject))));
    const groups: { table: string; key: Row }[] = [];
    for (const d of drafts) {
      if (!isGroupedType(d.type)) continue;
      const open = await writer.get(
        NOTIFICATION_OPEN_GROUPS,
        openGroupKey(d.recipientId, d.type, groupKeyOf(d.subject)),
      );
      if (open)
        groups.push({
          table: NOTIFICATION_INBOX,
          key: inboxKey(d.recipientId, String(open.notification_id)),
        });
    }
    if (groups.length > 0) await writer.load(groups);
  }
  for (const draft of drafts) {
    const placement = await placementFor(writer, draft.recipientId, draft.type);
    if (placement !== 'none') await deliver(writer, draft, source, placement === 'inbox');
  }
}

async function deliver(
  writer: ReadModelWriter,
  draft: NotificationDraft,
  source: SourceOfDraft,
  inApp: boolean,
): Promise<void> {
  const groupKey = groupKeyOf(draft.subject);
  const grouped = isGroupedType(draft.type);
  const openKey = openGroupKey(draft.recipientId, draft.type, groupKey);
  let unreadGroup: InboxEntry | null = null;
  if (grouped) {
    const open = await writer.get(NOTIFICATION_OPEN_GROUPS, openKey);
    const row =
      open &&
      (await writer.get(NOTIFICATION_INBOX, inboxKey(draft.recipientId, String(open.notification_id))));
    // A hidden group and a shown one never fold together (the person changed the switch between).
    if (row && row.read_at == null && (row.in_app !== false) === inApp) unreadGroup = entryOf(row);
  }
  const { entry, created } = placeDraft(draft, source, unreadGroup);
  writer.upsert(NOTIFICATION_INBOX, rowOf(entry, inApp));
  if (grouped) writer.upsert(NOTIFICATION_OPEN_GROUPS, { ...openKey, notification_id: entry.notificationId });
  if (!created) return;
  const head = await readHead(writer, RECIPIENT_LISTS, draft.recipientId);
  appendId(writer, RECIPIENT_LISTS, { unread_from: 0, ...head }, entry.notificationId);
  if (inApp) await addUnread(writer, draft.recipientId, 1);
}

async function addUnread(writer: ReadModelWriter, recipientId: string, change: number): Promise<void> {
  const row = await writer.get(NOTIFICATION_UNREAD_COUNTS, countKey(recipientId));
  writer.upsert(NOTIFICATION_UNREAD_COUNTS, {
    ...countKey(recipientId),
    unread: Math.max(0, Number(row?.unread ?? 0) + change),
  });
}

/** Marks one row read (if it is the recipient's, shown and unread): answers whether it was. */
async function markRowRead(writer: ReadModelWriter, row: Row | undefined, at: string): Promise<boolean> {
  if (!row || row.read_at != null || row.in_app === false) return false;
  const entry = entryOf(row);
  writer.upsert(NOTIFICATION_INBOX, rowOf({ ...entry, readAt: at }, true));
  // A read group is closed: the next event of its kind starts a new notification.
  if (isGroupedType(entry.type)) {
    const openKey = openGroupKey(entry.recipientId, entry.type, entry.groupKey);
    const open = await writer.get(NOTIFICATION_OPEN_GROUPS, openKey);
    if (open && String(open.notification_id) === entry.notificationId)
      writer.delete(NOTIFICATION_OPEN_GROUPS, openKey);
  }
  return true;
}

/** NotificationsMarkedRead: ids that are not the person's, or already read, change nothing. */
export async function markRead(
  writer: ReadModelWriter,
  recipientId: string,
  notificationIds: readonly string[],
  at: string,
): Promise<void> {
  const keys = [...new Set(notificationIds.map((id) => id.toLowerCase()))].map((id) =>
    inboxKey(recipientId, id),
  );
  await writer.load(keys.map((key) => ({ table: NOTIFICATION_INBOX, key })));
  let marked = 0;
  for (const key of keys)
    if (await markRowRead(writer, await writer.get(NOTIFICATION_INBOX, key), at)) marked += 1;
  if (marked > 0) await addUnread(writer, recipientId, -marked);
}

/**
 * AllNotificationsMarkedRead: every notification last changed by `upTo` (what the person could
 * have seen); a group that absorbed an event after it stays unread. Walks the list from the first
 * bucket that may hold an unread notification, and moves that mark past the buckets now all read.
 */
export async function markAllRead(
  writer: ReadModelWriter,
  recipientId: string,
  upTo: string,
  at: string,
): Promise<void> {
  const head = await writer.get(RECIPIENT_LISTS.heads, { owner_id: recipientId });
  if (!head) return;
  const buckets = await readBuckets(writer, RECIPIENT_LISTS, head, Number(head.unread_from ?? 0));
  const limit = Date.parse(upTo);
  await writer.load(
    buckets.flatMap((bucket) =>
      bucket.ids.map((id) => ({ table: NOTIFICATION_INBOX, key: inboxKey(recipientId, id) })),
    ),
  );
  const openGroups: { table: string; key: Row }[] = [];
  for (const bucket of buckets) {
    for (const id of bucket.ids) {
      const row = await writer.get(NOTIFICATION_INBOX, inboxKey(recipientId, id));
      if (row && row.read_at == null && isGroupedType(row.type as InboxEntry['type'])) {
        openGroups.push({
          table: NOTIFICATION_OPEN_GROUPS,
          key: openGroupKey(recipientId, String(row.type), String(row.group_key)),
        });
      }
    }
  }
  if (openGroups.length > 0) await writer.load(openGroups);
  let marked = 0;
  let firstUnread: number | null = null;
  for (const bucket of buckets) {
    for (const id of bucket.ids) {
      const row = await writer.get(NOTIFICATION_INBOX, inboxKey(recipientId, id));
      if (!row || row.read_at != null || row.in_app === false) continue;
      if (Date.parse(String(row.updated_at)) > limit) {
        firstUnread ??= bucket.bucket;
        continue;
      }
      if (await markRowRead(writer, row, at)) marked += 1;
    }
  }
  const sealed = Number(head.sealed ?? 0);
  writer.upsert(RECIPIENT_LISTS.heads, { ...head, unread_from: Math.min(firstUnread ?? sealed, sealed) });
  if (marked > 0) await addUnread(writer, recipientId, -marked);
}

/**
 * UserForgotten: the person's inbox goes, with its count, open groups and list. Their id in others'
 * rows' actor lists stays: it is an id, and names resolve to nobody ("Someone") at read time.
 */
export async function forgetRecipient(writer: ReadModelWriter, recipientId: string): Promise<void> {
  const head = await writer.get(RECIPIENT_LISTS.heads, { owner_id: recipientId });
  writer.delete(NOTIFICATION_UNREAD_COUNTS, countKey(recipientId));
  if (!head) return;
  const buckets = await readBuckets(writer, RECIPIENT_LISTS, head);
  const keys = buckets.flatMap((bucket) => bucket.ids.map((id) => inboxKey(recipientId, id)));
  await writer.load(keys.map((key) => ({ table: NOTIFICATION_INBOX, key })));
  for (const key of keys) {
    const row = await writer.get(NOTIFICATION_INBOX, key);
    if (row && isNotificationType(String(row.type)) && isGroupedType(row.type as InboxEntry['type'])) {
      writer.delete(
        NOTIFICATION_OPEN_GROUPS,
        openGroupKey(recipientId, String(row.type), String(row.group_key)),
      );
    }
    writer.delete(NOTIFICATION_INBOX, key);
  }
  deleteList(writer, RECIPIENT_LISTS, head);
}
