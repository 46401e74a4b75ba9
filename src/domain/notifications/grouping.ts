import type { NotificationDraft, NotificationSubject } from './notification-rules.ts';
import { NOTIFICATION_TYPES, type NotificationType } from './notification-types.ts';
import { notificationIdFor } from './streams.ts';

/** Actor ids a grouped notification keeps, latest first: enough to name "Ada, Ben and 11 others". */
export const MAX_GROUP_ACTORS = 3;

/** One inbox entry as the rules and grouping see it (the projection's row, in domain terms). */
export interface InboxEntry {
  notificationId: string;
  recipientId: string;
  type: NotificationType;
  subjectKind: NotificationSubject['kind'];
  subjectId: string;
  groupKey: string;
  /** Latest first, at most MAX_GROUP_ACTORS. */
  actorIds: string[];
  /** Distinct people behind it, as far as the kept ids tell (see `absorb`). */
  actorCount: number;
  /** The latest event's data, with `count`: how many events the entry stands for. */
  data: Record<string, unknown>;
  /** The event that created it: its id never changes, whatever it absorbs later. */
  sourceEventId: string;
  sourcePosition: string;
  lastSourceEventId: string;
  createdAt: string;
  updatedAt: string;
  readAt: string | null;
}

/** The event a draft came from. */
export interface SourceOfDraft {
  eventId: string;
  position: string;
  occurredAt: string;
}

/** The key grouped notifications fold by: their subject ("your video", "this conversation"). */
export const groupKeyOf = (subject: NotificationSubject): string => `${subject.kind}:${subject.id}`;

export const isGroupedType = (type: NotificationType): boolean => NOTIFICATION_TYPES[type].grouped;

/** A new entry for a draft: its id derived from the event and the recipient, so a replay names it again. */
export function newEntry(draft: NotificationDraft, source: SourceOfDraft): InboxEntry {
  return {
    notificationId: notificationIdFor(source.eventId, draft.recipientId),
    recipientId: draft.recipientId,
    type: draft.type,
    subjectKind: draft.subject.kind,
    subjectId: draft.subject.id,
    groupKey: groupKeyOf(draft.subject),
    actorIds: draft.actorId === null ? [] : [draft.actorId],
    actorCount: draft.actorId === null ? 0 : 1,
    data: { ...draft.data, count: 1 },
    sourceEventId: source.eventId,
    sourcePosition: source.position,
    lastSourceEventId: source.eventId,
    createdAt: source.occurredAt,
    updatedAt: source.occurredAt,
    readAt: null,
  };
}

/**
 * Where a draft goes: into the recipient's unread group of the same type and subject when the type
 * groups and there is one, otherwise into a new entry. A read group is never reopened (what the
 * person has seen stays as they saw it), so the caller passes only an unread group.
 */
export function placeDraft(
  draft: NotificationDraft,
  source: SourceOfDraft,
  unreadGroup: InboxEntry | null,
): { entry: InboxEntry; created: boolean } {
  if (
    unreadGroup === null ||
    unreadGroup.readAt !== null ||
    !isGroupedType(draft.type) ||
    unreadGroup.type !== draft.type ||
    unreadGroup.recipientId !== draft.recipientId ||
    unreadGroup.groupKey !== groupKeyOf(draft.subject)
  ) {
    return { entry: newEntry(draft, source), created: true };
  }
  return { entry: absorb(unreadGroup, draft, source), created: false };
}

/**
 * Folds one more event into an unread group: its actor goes first, the count grows by one for a
 * person not already among the kept ids (Ada liking, unliking and liking again is still one
 * person; beyond the kept ids the count cannot tell, and counts them again), the entry moves up
 * the inbox (updated_at) and remembers the latest event. Its id and source event stay: they name
 * the notification the recipient already has.
 */
export function absorb(group: InboxEntry, draft: NotificationDraft, source: SourceOfDraft): InboxEntry {
  const actor = draft.actorId;
  const known = actor !== null && group.actorIds.includes(actor);
  const actorIds =
    actor === null
      ? group.actorIds
      : [actor, ...group.actorIds.filter((id) => id !== actor)].slice(0, MAX_GROUP_ACTORS);
  const count = typeof group.data.count === 'number' ? group.data.count : 1;
  return {
    ...group,
    actorIds,
    actorCount: actor === null || known ? group.actorCount : group.actorCount + 1,
    data: { ...draft.data, count: count + 1 },
    lastSourceEventId: source.eventId,
    updatedAt: later(source.occurredAt, group.updatedAt),
  };
}

/** The later of two instants (ISO strings), compared as times, not as text. */
const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);
