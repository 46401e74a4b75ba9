import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DecodedEvent, EventCodec } from '../commands/event-codec.ts';
import {
  RESERVATION_SCHEMA_VERSION,
  UNIQUE_VALUE_CLAIMED,
  UNIQUE_VALUE_RELEASED,
} from '../commands/reservation-events.ts';
import type { AggregateSpec } from '../commands/types.ts';
import { auditLogAggregate } from '../domain/audit/audit-log-decider.ts';
import { brandAggregate } from '../domain/brands/brand-decider.ts';
import { chatConversationAggregate } from '../domain/chat/conversation-decider.ts';
import { chatMemberAggregate } from '../domain/chat/member-decider.ts';
import { chatMessageAggregate } from '../domain/chat/message-decider.ts';
import { attemptAggregate } from '../domain/communities/attempt-decider.ts';
import { checkpointAggregate } from '../domain/communities/checkpoint-decider.ts';
import { communityAggregate } from '../domain/communities/community-decider.ts';
import { membershipAggregate } from '../domain/communities/membership-decider.ts';
import { learningModuleAggregate } from '../domain/communities/module-decider.ts';
import { learningPathAggregate } from '../domain/communities/path-decider.ts';
import { communityPostAggregate } from '../domain/communities/post-decider.ts';
import { progressAggregate } from '../domain/communities/progress-decider.ts';
import { contentAggregate } from '../domain/content/content-decider.ts';
import { passkeyAggregate } from '../domain/identity/passkey-decider.ts';
import { mediaAggregate } from '../domain/media/media-decider.ts';
import { calendarAggregate } from '../domain/mentorship/calendar-decider.ts';
import { conversationAggregate } from '../domain/mentorship/conversation-decider.ts';
import { learnerProfileAggregate } from '../domain/mentorship/learner-profile-decider.ts';
import { matchRequestAggregate } from '../domain/mentorship/match-request-decider.ts';
import { mentorProfileAggregate } from '../domain/mentorship/mentor-profile-decider.ts';
import { sessionAggregate as mentorSessionAggregate } from '../domain/mentorship/session-decider.ts';
import { deviceAggregate } from '../domain/notifications/device-decider.ts';
import { inboxAggregate } from '../domain/notifications/inbox-decider.ts';
import { notificationPreferencesAggregate } from '../domain/notifications/preferences-decider.ts';
import { reminderAggregate } from '../domain/notifications/reminder-decider.ts';
import type { Decider, DomainEvent } from '../domain/shared/decider.ts';
import { validation } from '../domain/shared/domain-error.ts';
import type { EventCatalogue } from '../domain/shared/event-catalogue.ts';
import { commentAggregate } from '../domain/social/comment-decider.ts';
import { commentSettingsAggregate } from '../domain/social/comment-settings.ts';
import { followAggregate } from '../domain/social/follow-decider.ts';
import { likeAggregate } from '../domain/social/like-decider.ts';
import { moderationAggregate } from '../domain/social/moderation-decider.ts';
import { profileAggregate } from '../domain/social/profile-decider.ts';
import { shareAggregate } from '../domain/social/share-decider.ts';
import { syncConflictsAggregate } from '../domain/sync/conflict-decider.ts';
import { videoPostAggregate } from '../domain/videos/video-post-decider.ts';
import { eventWebhookAggregate } from '../domain/webhooks/webhook-decider.ts';
import { canonicalJson } from '../eventstore/hash-chain.ts';
import type { RecordedEvent } from '../eventstore/port.ts';
import { aiGenerations } from '../services/ai/aggregates.ts';
import { apiKeys, sessions, users } from '../services/identity/aggregates.ts';

/** Folds one stream's events with its aggregate's own `evolve`; the state stays opaque to callers. */
export interface AggregateFold {
  readonly state: unknown;
  /** Decodes and folds one stored event; false for a type the aggregate's catalogue does not know. */
  apply(recorded: RecordedEvent): Promise<boolean>;
}

/** One aggregate type as the audit queries see it: its category, how to fold it, how to fingerprint it. */
export interface AuditedAggregate {
  category: string;
  /**
   * Bump whenever `evolve` or the shape of the state changes without a catalogue change: snapshots
   * taken by the older code then no longer match the fingerprint and are ignored.
   */
  snapshotVersion: number;
  /** The catalogue declares personal fields: its snapshots are stored encrypted (see snapshots.ts). */
  personalData: boolean;
  /**
   * Its events belong to a community (`AggregateSpec.communityOf`) and carry `metadata.communityId`:
   * a community's export reads only these categories (see export.ts).
   */
  communityOwned: boolean;
  /** The aggregate's own catalogue (tests check every aggregate of the domain is registered). */
  catalogue: object;
  /** Hash of the catalogue's types and schema versions and `snapshotVersion`. */
  fingerprint: string;
  /** The credential fields an event type's catalogue entry declares (redacted in audit answers). */
  credentialFieldsOf(type: string): readonly string[];
  /** Members of the folded state that hold credentials, at any depth (redacted in audit answers). */
  credentialStateKeys: ReadonlySet<string>;
  decode(
    codec: Pick<EventCodec, 'decode'>,
    recorded: RecordedEvent,
  ): Promise<DecodedEvent<DomainEvent> | undefined>;
  /** A fold from the initial state, or from a snapshot's state (taken by code of the same fingerprint). */
  fold(codec: Pick<EventCodec, 'decode'>, from?: { state: unknown }): AggregateFold;
}

/** Changes when the snapshot encoding in snapshots.ts changes: every older snapshot is ignored. */
const SNAPSHOT_ENCODING = 1;

export function audited<Command, Event extends DomainEvent, State>(
  category: string,
  spec: AggregateSpec<Command, Event, State>,
  snapshotVersion: number,
  credentialStateKeys: readonly string[] = [],
): AuditedAggregate {
  const definitions = Object.values<{
    type: string;
    schemaVersion: number;
    personalFields?: readonly string[];
    credentialFields?: readonly string[];
  }>(spec.catalogue);
  const credentials = new Map(definitions.map((d) => [d.type, d.credentialFields ?? []]));
  const types = definitions
    .map((d) => [d.type, d.schemaVersion] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const fingerprint = createHash('sha256')
    .update(canonicalJson({ category, snapshotVersion, encoding: SNAPSHOT_ENCODING, types }))
    .digest('hex');
  return {
    category,
    snapshotVersion,
    personalData: definitions.some((d) => (d.personalFields?.length ?? 0) > 0),
    communityOwned: spec.communityOf !== undefined,
    catalogue: spec.catalogue,
    fingerprint,
    credentialFieldsOf: (type) => credentials.get(type) ?? [],
    credentialStateKeys: new Set(credentialStateKeys),
    decode: (codec, recorded) => codec.decode(spec.catalogue, recorded),
    fold(codec, from) {
      // A snapshot's state was produced by this same evolve (the fingerprint says so), so it is a State.
      let state = from ? (from.state as State) : spec.decider.initialState;
      return {
        get state() {
          return state;
        },
        async apply(recorded) {
          const decoded = await codec.decode(spec.catalogue, recorded);
          if (!decoded) return false;
          state = spec.decider.evolve(state, decoded.event);
          return true;
        },
      };
    },
  };
}

/**
 * Reservation streams (one per unique value, e.g. an e-mail address's hash) have no decider of their
 * own: `claimUnique`/`releaseUnique` decide, `currentOwner` folds. This spec folds them the same way
 * (the last claim not followed by its owner's release) so auditors can see who held a value when.
 */
const reservationData = z.object({ scope: z.string(), ownerId: z.string() });
type ReservationEvent =
  | { type: typeof UNIQUE_VALUE_CLAIMED; data: z.infer<typeof reservationData> }
  | { type: typeof UNIQUE_VALUE_RELEASED; data: z.infer<typeof reservationData> };
type ReservationState = { scope: string | null; owner: string | null };

const reservationCatalogue: EventCatalogue<ReservationEvent> = {
  UniqueValueClaimed: {
    type: UNIQUE_VALUE_CLAIMED,
    schemaVersion: RESERVATION_SCHEMA_VERSION,
    schema: reservationData,
  },
  UniqueValueReleased: {
    type: UNIQUE_VALUE_RELEASED,
    schemaVersion: RESERVATION_SCHEMA_VERSION,
    schema: reservationData,
  },
};

const reservationDecider: Decider<never, ReservationEvent, ReservationState> = {
  initialState: { scope: null, owner: null },
  evolve(state, event) {
    if (event.type === UNIQUE_VALUE_CLAIMED) return { scope: event.data.scope, owner: event.data.ownerId };
    return state.owner === event.data.ownerId ? { ...state, owner: null } : state;
  },
  decide() {
    throw new Error('Reservations are decided by claimUnique/releaseUnique, not by commands');
  },
};

/**
 * Every aggregate type by category. A context that adds an aggregate adds it here, so that
 * `aggregateAt` can fold it; a category missing here is a VALIDATION error, never a guess.
 */
export const AUDITED_AGGREGATES: readonly AuditedAggregate[] = [
  audited('user', users, 1, ['passwordHash', 'secret', 'unusedBackupCodeHashes', 'knownDeviceHashes']),
  audited('session', sessions, 1, ['currentTokenHash', 'rotatedTokenHashes']),
  audited('apikey', apiKeys, 1, ['tokenHash']),
  audited('brand', brandAggregate, 1),
  audited('content', contentAggregate, 1),
  audited('aigeneration', aiGenerations, 1),
  audited('media', mediaAggregate, 1),
  audited('videopost', videoPostAggregate, 1),
  audited('followtie', followAggregate, 1),
  audited('socialprofile', profileAggregate, 1),
  audited('eventwebhook', eventWebhookAggregate, 1),
  audited('modcase', moderationAggregate, 1),
  audited('like', likeAggregate, 1),
  audited('comment', commentAggregate, 1),
  audited('commentsettings', commentSettingsAggregate, 1),
  audited('share', shareAggregate, 1),
  audited('mentor', mentorProfileAggregate, 1),
  audited('learner', learnerProfileAggregate, 1),
  audited('matchrequest', matchRequestAggregate, 1),
  audited('mentorsession', mentorSessionAggregate, 1),
  audited('calendar', calendarAggregate, 1),
  audited('sessionreminder', reminderAggregate, 1),
  audited('mentorconversation', conversationAggregate, 1),
  audited('chatconv', chatConversationAggregate, 1),
  audited('chatmsg', chatMessageAggregate, 1),
  audited('chatmember', chatMemberAggregate, 1),
  audited('community', communityAggregate, 1),
  audited('communitymember', membershipAggregate, 1),
  audited('communitypost', communityPostAggregate, 1),
  audited('learningpath', learningPathAggregate, 1),
  audited('learningmodule', learningModuleAggregate, 1),
  audited('checkpoint', checkpointAggregate, 1),
  audited('checkpointattempts', attemptAggregate, 1),
  audited('learningprogress', progressAggregate, 1),
  audited('device', deviceAggregate, 1),
  audited('notificationprefs', notificationPreferencesAggregate, 1),
  audited('notificationinbox', inboxAggregate, 1),
  audited('passkeys', passkeyAggregate, 1),
  audited('syncconflicts', syncConflictsAggregate, 1),
  audited('auditlog', auditLogAggregate, 1),
  audited('reservation', { decider: reservationDecider, catalogue: reservationCatalogue }, 1),
];

const byCategory = new Map(AUDITED_AGGREGATES.map((aggregate) => [aggregate.category, aggregate]));

/** The stream categories whose events a community owns (see `communityOwned`). */
export function communityOwnedCategories(): string[] {
  return AUDITED_AGGREGATES.filter((aggregate) => aggregate.communityOwned).map((a) => a.category);
}

export function auditedAggregate(category: string): AuditedAggregate | undefined {
  return byCategory.get(category);
}

export function requireAuditedAggregate(category: string): AuditedAggregate {
  const aggregate = auditedAggregate(category);
  if (!aggregate) {
    throw validation('UNKNOWN_CATEGORY', `No aggregate type has the category "${category.slice(0, 40)}"`, {
      categories: [...byCategory.keys()],
    });
  }
  return aggregate;
}
