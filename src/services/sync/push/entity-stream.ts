import { type LoadDeps, readStreamOrEmpty } from '../../../commands/load-aggregate.ts';
import type { DomainEvent } from '../../../domain/shared/decider.ts';
import type { EventCatalogue } from '../../../domain/shared/event-catalogue.ts';
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

export const entityStream = <Event extends DomainEvent>(
  stream: string,
  catalogue: EventCatalogue<Event>,
): EntityStream => ({ stream, catalogue: catalogue as unknown as EventCatalogue<DomainEvent> });

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
