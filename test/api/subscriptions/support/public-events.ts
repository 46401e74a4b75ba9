import { publicTypesFor } from '../../../../src/api/events/catalogues.ts';
import type { EventAudience } from '../../../../src/api/events/published-events.ts';
import type { EventStore } from '../../../../src/eventstore/port.ts';

/**
 * What the store holds that integrators of the audience (by default: keys of non-admins) may see,
 * in position order: `[position, type]`.
 */
export async function publicEventsInStore(
  store: EventStore,
  upTo?: bigint,
  audience: EventAudience = 'readers',
): Promise<[string, string][]> {
  const types = publicTypesFor(audience);
  const events = await store.readAll({ filter: { eventTypePrefixes: [...types] } });
  return events
    .filter((e) => types.includes(e.type) && (upTo === undefined || e.position <= upTo))
    .map((e) => [e.position.toString(), e.type]);
}
