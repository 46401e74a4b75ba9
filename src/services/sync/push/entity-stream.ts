import { type LoadDeps, readStreamOrEmpty } from '../../../commands/load-aggregate.ts';
import { chatMessageEventCatalogue } from '../../../domain/chat/message-events.ts';
import { attemptEventCatalogue } from '../../../domain/communities/attempt-events.ts';
import { membershipEventCatalogue } from '../../../domain/communities/membership-events.ts';
import { communityPostEventCatalogue } from '../../../domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../../domain/communities/progress-events.ts';
import { userEventCatalogue } from '../../../domain/identity/user-events.ts';
import type { DomainEvent } from '../../../domain/shared/decider.ts';
import type { EventCatalogue } from '../../../domain/shared/event-catalogue.ts';
import type { SyncEntityType } from '../../../domain/sync/change-types.ts';
import { syncConflictEventCatalogue } from '../../../domain/sync/conflict-events.ts';
import { entityVersion } from '../../../domain/sync/entity-version.ts';
import { viewOf } from '../../../domain/sync/entity-views.ts';
import type { FeedSourceEvent } from '../../../domain/sync/feed-records.ts';

/** The stream an entity's version and value are read from, and the catalogue that decodes it. */
export interface EntityStream {
  stream: string;
  catalogue: EventCatalogue<DomainEvent>;
}

/** One entity's stream as the conflict rules read it. */
export interface StreamEvents {
  events: FeedSourceEvent[];
  /** The stream's revision (-1 when empty) and global position of its last event. */
  revision: number;
  position: bigint | null;
}

/** A context's catalogue, as the decoder reads any of them (by the stored event's type). */
const anyCatalogue = <Event extends DomainEvent>(catalogue: EventCatalogue<Event>) =>
  catalogue as unknown as EventCatalogue<DomainEvent>;

export const entityStream = <Event extends DomainEvent>(
  stream: string,
  catalogue: EventCatalogue<Event>,
): EntityStream => ({ stream, catalogue: anyCatalogue(catalogue) });

/**
 * Reads the stream and decodes it as the feed does (personal fields in plaintext, null once
 * erased), so `viewOf` and `entityVersion` see what the feed's devices see.
 */
export async function readEntityStream(deps: LoadDeps, entity: EntityStream): Promise<StreamEvents> {
  const recorded = await readStreamOrEmpty(deps.store, entity.stream);
  const events: FeedSourceEvent[] = [];
  for (const record of recorded) {
    const decoded = await deps.codec.decode(entity.catalogue, record);
    if (!decoded) continue;
    events.push({
      type: decoded.event.type,
      data: decoded.event.data as Record<string, unknown>,
      streamName: record.streamName,
      revision: Number(record.revision),
      occurredAt: decoded.metadata.occurredAt,
    });
  }
  const last = recorded.at(-1);
  return { events, revision: last ? Number(last.revision) : -1, position: last?.position ?? null };
}

export const EMPTY_STREAM: StreamEvents = { events: [], revision: -1, position: null };

/** The catalogue each kind of entity's stream is decoded with. */
const CATALOGUES: Readonly<Record<SyncEntityType, EventCatalogue<DomainEvent> | null>> = {
  profile: anyCatalogue(userEventCatalogue),
  moduleProgress: anyCatalogue(progressEventCatalogue),
  checkpointAnswer: anyCatalogue(attemptEventCatalogue),
  membership: anyCatalogue(membershipEventCatalogue),
  communityPost: anyCatalogue(communityPostEventCatalogue),
  chatMessage: anyCatalogue(chatMessageEventCatalogue),
  syncConflict: anyCatalogue(syncConflictEventCatalogue),
  scope: null,
};

/**
 * Which entity an outcome's value is of, where to read it (JSON, kept on a receipt instead of the
 * value: receipts hold no one's words, which erasure could not reach there). `created`: the change
 * made the entity (a reply, a message), whose id the value carries.
 */
export interface ValueRef {
  stream: string;
  entityType: SyncEntityType;
  entityId: string;
  created: boolean;
}

/** The stream a value is read from, with its catalogue (null for a kind that has no value). */
export function streamOf(ref: ValueRef): EntityStream | null {
  const catalogue = CATALOGUES[ref.entityType];
  return catalogue === null ? null : { stream: ref.stream, catalogue };
}

/** The entity's version and value in its stream's events (no value when it has none). */
export function valueIn(
  events: readonly FeedSourceEvent[],
  ref: ValueRef,
): { version: number; value?: Record<string, unknown> } {
  const view = viewOf(ref.entityType, events, ref.entityId);
  const version = entityVersion(events, ref.entityType, ref.entityId);
  if (view === null) return { version };
  return { version, value: ref.created ? { ...view.value, id: ref.entityId } : view.value };
}

/** The entity's version and value as they stand now. */
export async function currentValue(
  deps: LoadDeps,
  ref: ValueRef,
): Promise<{ version: number; value?: Record<string, unknown> }> {
  const entity = streamOf(ref);
  return valueIn(entity === null ? [] : (await readEntityStream(deps, entity)).events, ref);
}
