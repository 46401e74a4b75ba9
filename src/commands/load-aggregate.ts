import type { DomainEvent } from '../domain/shared/decider.ts';
import { fold } from '../domain/shared/decider.ts';
import { StreamNotFound } from '../eventstore/errors.ts';
import type { EventStore, Position, RecordedEvent, StreamRevision } from '../eventstore/port.ts';
import type { DecodedEvent, EventCodec } from './event-codec.ts';
import type { AggregateSpec } from './types.ts';

export interface LoadedEvent<Event extends DomainEvent> extends DecodedEvent<Event> {
  recorded: RecordedEvent;
}

export interface LoadedAggregate<Event extends DomainEvent, State> {
  state: State;
  /** Revision of the stream's last event (known type or not); null when the stream has none. */
  revision: StreamRevision | null;
  /** Global position of the stream's last event; null when the stream has none. */
  position: Position | null;
  /** The events the aggregate's catalogue knows, oldest first. */
  events: LoadedEvent<Event>[];
}

export interface LoadDeps {
  store: EventStore;
  codec: EventCodec;
}

/** Reads and folds one aggregate's stream; a stream that does not exist yet is an empty one. */
export async function loadAggregate<Command, Event extends DomainEvent, State>(
  deps: LoadDeps,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
): Promise<LoadedAggregate<Event, State>> {
  const recorded = await readStreamOrEmpty(deps.store, stream);
  const events: LoadedEvent<Event>[] = [];
  for (const record of recorded) {
    const decoded = await deps.codec.decode(spec.catalogue, record);
    if (decoded) events.push({ ...decoded, recorded: record });
  }
  const last = recorded.at(-1);
  return {
    state: fold(
      spec.decider,
      events.map((loaded) => loaded.event),
    ),
    revision: last?.revision ?? null,
    position: last?.position ?? null,
    events,
  };
}

export async function readStreamOrEmpty(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (error) {
    if (error instanceof StreamNotFound) return [];
    throw error;
  }
}
