import type { EventCodec } from '../../commands/event-codec.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { AudienceGuard } from './event-audience.ts';
import { storeFilterFor, toIntegratorEvent } from './integrator-events.ts';
import type { SseConnection } from './sse-connection.ts';
import type { StreamRequest } from './stream-query.ts';

export interface EventStreamDeps {
  store: Pick<EventStore, 'subscribeToAll'>;
  codec: Pick<EventCodec, 'decode'>;
  /** Refuses an admin-only event once the caller is no longer an admin (ends the stream). */
  guard: Pick<AudienceGuard, 'allow'>;
}

/**
 * Feeds the connection from the store: catch-up, then live, until the connection ends. The next
 * event is read only once the previous one was handed to the socket, so the store subscription
 * (not this process's memory) holds what a slow reader has not taken yet.
 */
export async function pumpEvents(
  deps: EventStreamDeps,
  connection: SseConnection,
  request: StreamRequest,
): Promise<void> {
  const events = deps.store.subscribeToAll({
    fromPosition: request.after ?? 'start',
    filter: storeFilterFor(request.filter),
    signal: connection.signal,
  });
  for await (const recorded of events) {
    const event = await toIntegratorEvent(deps.codec, recorded, request.filter);
    if (!event) continue;
    await deps.guard.allow(event.type);
    const sent = await connection.send({ id: event.position, event: event.type, data: event });
    if (!sent) return;
  }
}
