import type { EventCodec } from '../../commands/event-codec.ts';
import type { EventFilter, RecordedEvent } from '../../eventstore/port.ts';
import { INTEGRATOR_CATALOGUE, PUBLIC_EVENT_TYPES } from './catalogues.ts';

/** An event as integrators receive it (GraphQL subscription, Server-Sent Events). */
export interface IntegratorEvent {
  /** Global position (decimal string): pass it back as `after` to resume right after this event. */
  position: string;
  streamName: string;
  revision: string;
  id: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  correlationId: string | null;
  /** Only the type's public fields; personal ones are null once the person is forgotten. */
  data: Record<string, unknown>;
}

export interface IntegratorFilter {
  /** Keep events whose stream name starts with this (e.g. `user-`). */
  streamPrefix?: string;
  /**
   * Keep only these public types (default: all public types). The entry points set it to the
   * caller's audience's types when the request names none (see event-audience.ts).
   */
  types?: readonly string[];
}

/** The event store filter for an integrator's request: public types only, narrowed as asked. */
export function storeFilterFor(filter: IntegratorFilter): EventFilter {
  const types = filter.types
    ? PUBLIC_EVENT_TYPES.filter((t) => filter.types?.includes(t))
    : PUBLIC_EVENT_TYPES;
  return {
    // The store matches prefixes; the exact type check happens in toIntegratorEvent.
    eventTypePrefixes: [...types],
    ...(filter.streamPrefix ? { streamNamePrefixes: [filter.streamPrefix] } : {}),
  };
}

/**
 * What an integrator may see of a stored event, or undefined for an event they may not see (a
 * private type, or one outside the requested types). Decoding goes through the codec, so upcasting
 * and erasure apply exactly as they do for read models.
 */
export async function toIntegratorEvent(
  codec: Pick<EventCodec, 'decode'>,
  recorded: RecordedEvent,
  filter: IntegratorFilter = {},
): Promise<IntegratorEvent | undefined> {
  const published = INTEGRATOR_CATALOGUE.get(recorded.type);
  if (!published) return undefined;
  const { definition, fields } = published;
  if (filter.types && !filter.types.includes(recorded.type)) return undefined;
  if (filter.streamPrefix && !recorded.streamName.startsWith(filter.streamPrefix)) return undefined;
  const decoded = await codec.decode({ [definition.type]: definition }, recorded);
  if (!decoded) return undefined;
  const data = decoded.event.data;
  const source: Record<string, unknown> = typeof data === 'object' && data !== null ? { ...data } : {};
  return {
    position: recorded.position.toString(),
    streamName: recorded.streamName,
    revision: recorded.revision.toString(),
    id: recorded.id,
    type: recorded.type,
    schemaVersion: definition.schemaVersion,
    occurredAt: decoded.metadata.occurredAt,
    correlationId: decoded.metadata.correlationId ?? null,
    data: Object.fromEntries(
      fields.filter((field) => field in source).map((field) => [field, source[field]]),
    ),
  };
}
