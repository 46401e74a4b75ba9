import { PUBLIC_EVENT_TYPES } from '../../../../src/api/events/catalogues.ts';
import type { EventStore } from '../../../../src/eventstore/port.ts';

/** What the store holds that integrators may see, in position order: `[position, type]`. */
export async function publicEventsInStore(store: EventStore, upTo?: bigint): Promise<[string, string][]> {
  const events = await store.readAll({ filter: { eventTypePrefixes: [...PUBLIC_EVENT_TYPES] } });
  return events
    .filter((e) => PUBLIC_EVENT_TYPES.includes(e.type) && (upTo === undefined || e.position <= upTo))
    .map((e) => [e.position.toString(), e.type]);
}
