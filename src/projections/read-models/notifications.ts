import type { EventCodec } from '../../commands/event-codec.ts';
import { type InboxEvent, inboxEventCatalogue } from '../../domain/notifications/inbox-events.ts';
import {
  NOTIFICATION_SOURCE_EVENT_TYPES,
  NOTIFICATION_SOURCE_EVENTS,
  type NotificationSourceEvent,
  notificationsFor,
} from '../../domain/notifications/notification-rules.ts';
import type { EventCatalogue, EventDefinition } from '../../domain/shared/event-catalogue.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, Row } from '../projection.ts';
import {
  FACT_EVENT_TYPES,
  FACT_TABLES,
  factRowsOf,
  factsFor,
  type RawData,
  recordFacts,
  str,
} from './notifications-facts.ts';
import {
  deliverDrafts,
  forgetRecipient,
  INBOX_TABLES,
  markAllRead,
  markRead,
  NOTIFICATION_INBOX,
  RECIPIENT_LISTS,
  recipientRows,
} from './notifications-inbox.ts';
import { headKey } from './notifications-lists.ts';
import {
  RECIPIENT_TABLES,
  recipientFactsKey,
  recordChannels,
  recordForgotten,
} from './notifications-recipients.ts';
import { occurredAt } from './occurred-at.ts';

export const NOTIFICATIONS_PROJECTION = 'notifications';

const INBOX_TYPES = Object.keys(inboxEventCatalogue);
/** Whole preferences in each event, with no personal field: the channels are read as stored. */
const PREFERENCES_CHANGED = 'NotificationPreferencesChanged';

/**
 * Every person's notifications, derived from the events of the other contexts by the rules in
 * src/domain/notifications/notification-rules.ts (docs/notifications.md): one row per notification
 * (`notification_inbox`, id = notificationIdFor(source event, recipient)), grouped where the type
 * says so, each person's exact unread count, and the read marks from their inbox stream. The facts
 * the rules need (followers, owners, members) are kept here from events, in tables of its own, and
 * so are the recipients' channel choices (in-app off: no inbox row shown) and who was forgotten
 * (no new rows for them). Preferences are not retroactive: rows made before a change stay.
 */
export function notificationsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: NOTIFICATIONS_PROJECTION,
    // 2: the recipients' channel choices and erasures (notification_recipient_facts), inbox rows'
    // `in_app`.
    version: 2,
    eventTypes: [
      ...new Set([
        ...NOTIFICATION_SOURCE_EVENT_TYPES,
        ...FACT_EVENT_TYPES,
        ...INBOX_TYPES,
        PREFERENCES_CHANGED,
        'UserForgotten',
      ]),
    ],
    tables: { ...INBOX_TABLES, ...FACT_TABLES, ...RECIPIENT_TABLES },
    prefetch: (events) => events.flatMap(prefetchOf),
    async apply(recorded, writer) {
      const data = rawData(recorded);
      const at = occurredAt(recorded);
      if (INBOX_TYPES.includes(recorded.type)) {
        const decoded = await codec.decode(inboxEventCatalogue, recorded);
        if (decoded) await applyInbox(decoded.event, writer, at);
        return;
      }
      if (recorded.type === PREFERENCES_CHANGED) {
        const userId = str(data, 'userId');
        if (userId) await recordChannels(writer, userId, data.channels);
        return;
      }
      if (recorded.type === 'UserForgotten') {
        const userId = str(data, 'userId');
        if (userId) {
          await forgetRecipient(writer, userId);
          recordForgotten(writer, userId);
        }
        return;
      }
      const event = await decodeSource(codec, recorded);
      if (event) {
        const drafts = notificationsFor(event, await factsFor(writer, event));
        const source = {
          eventId: recorded.id.toLowerCase(),
          position: recorded.position.toString(),
          occurredAt: at,
        };
        await deliverDrafts(writer, drafts, source);
      }
      // After the rules: an event's own facts describe the world after it (a follow is not news to
      // the follower it adds; a post created public is announced by this very event).
      await recordFacts(writer, recorded.type, data);
    },
  };
}

async function applyInbox(event: InboxEvent, writer: Parameters<Projection['apply']>[1], at: string) {
  const userId = event.data.userId.toLowerCase();
  if (event.type === 'NotificationsMarkedRead')
    return markRead(writer, userId, event.data.notificationIds, at);
  return markAllRead(writer, userId, event.data.upTo, at);
}

const rawData = (recorded: RecordedEvent): RawData =>
  typeof recorded.data === 'object' && recorded.data !== null ? (recorded.data as RawData) : {};

const SOURCE_DEFINITIONS = new Map<string, { catalogue: EventCatalogue<never>; definition: EventDefinition }>(
  NOTIFICATION_SOURCE_EVENTS.flatMap(({ catalogue, types }) =>
    types.map((type) => [type, { catalogue, definition: catalogue[type] as EventDefinition }] as const),
  ),
);

/**
 * A source event, typed. The rules read no personal field (never a message's text, a moderator's
 * reason or a grader's feedback), so an event written at the current schema version is parsed with
 * those fields left out, without a key lookup and decryption per event; an older one goes through
 * the codec for its upcasters.
 */
async function decodeSource(
  codec: Pick<EventCodec, 'decode'>,
  recorded: RecordedEvent,
): Promise<NotificationSourceEvent | null> {
  const source = SOURCE_DEFINITIONS.get(recorded.type);
  if (!source) return null;
  const { definition, catalogue } = source;
  const written = recorded.metadata.schemaVersion;
  // As the codec reads it: an event without a version was written at version 1.
  if ((typeof written === 'number' ? written : 1) === definition.schemaVersion) {
    const data = { ...rawData(recorded) };
    for (const field of definition.personalFields ?? []) data[field] = null;
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) {
      throw new Error(
        `${recorded.type} at ${recorded.streamName}@${recorded.revision} does not match its schema`,
      );
    }
    return { type: recorded.type, data: parsed.data } as NotificationSourceEvent;
  }
  const decoded = await codec.decode(catalogue, recorded);
  return decoded ? (decoded.event as unknown as NotificationSourceEvent) : null;
}

/** The recipient an event names in its own data, with the group it would fold into (for the prefetch). */
function namedRecipients(type: string, data: RawData): { table: string; key: Row }[] {
  const one = (field: string, notification?: string, groupKey?: string) => {
    const id = str(data, field);
    return id ? recipientRows(id, notification, groupKey) : [];
  };
  switch (type) {
    case 'ContentLiked':
      return one('authorId', 'video_liked', `video:${str(data, 'targetId')}`);
    case 'UserFollowed':
      return one('followeeId', 'new_follower', `user:${str(data, 'followeeId')}`);
    case 'CommunityPostMarkedHelpful':
      return one('authorId', 'community_post_helpful', `community_post:${str(data, 'postId')}`);
    case 'CommunityPostRemoved':
      return one('authorId');
    case 'CommunityMemberInvited':
    case 'CheckpointAttemptGraded':
    case 'UserPasswordReset':
    case 'LoginSucceeded':
      return one('userId');
    case 'MentorOffered':
      return one('mentorId');
    case 'MatchMade':
    case 'MentorshipSessionScheduled':
      return [...one('mentorId'), ...one('learnerId')];
    case 'SessionReminderDue':
      return (Array.isArray(data.participantIds) ? data.participantIds : [])
        .filter((id): id is string => typeof id === 'string')
        .flatMap((id) => recipientRows(id.toLowerCase()));
    case 'NotificationsMarkedRead': {
      const userId = str(data, 'userId');
      const ids = Array.isArray(data.notificationIds) ? data.notificationIds : [];
      return userId
        ? [
            ...recipientRows(userId),
            ...ids
              .filter((id): id is string => typeof id === 'string')
              .map((id) => ({
                table: NOTIFICATION_INBOX,
                key: { recipient_id: userId, notification_id: id.toLowerCase() },
              })),
          ]
        : [];
    }
    case 'AllNotificationsMarkedRead':
    case 'UserForgotten':
      return one('userId');
    default:
      return [];
  }
}

/**
 * The rows a batch will read, from the events' raw data (ids are never encrypted): the facts
 * each event looks up and the inbox rows of the recipients it names. Recipients found only
 * through the facts (followers, members, staff) are read in bulk per event as they are found.
 */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const data = rawData(recorded);
  const rows = [...factRowsOf(recorded.type, data), ...namedRecipients(recorded.type, data)];
  if (recorded.type === 'UserForgotten' || recorded.type === PREFERENCES_CHANGED) {
    const userId = str(data, 'userId');
    if (userId) rows.push(headKey(RECIPIENT_LISTS, userId), recipientFactsKey(userId));
  }
  return rows;
}
