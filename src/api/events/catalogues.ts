import { apiKeyEventCatalogue } from '../../domain/identity/api-key-events.ts';
import { sessionEventCatalogue } from '../../domain/identity/session-events.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import type { EventDefinition } from '../../domain/shared/event-catalogue.ts';

/** Every stored event type of every context, by type. A context adds its catalogue here. */
export const EVENT_DEFINITIONS: ReadonlyMap<string, EventDefinition> = new Map(
  [userEventCatalogue, sessionEventCatalogue, apiKeyEventCatalogue].flatMap((catalogue) =>
    Object.values<EventDefinition>(catalogue).map((definition) => [definition.type, definition] as const),
  ),
);

/** The event types integrators may see (those with `publicFields`), sorted. */
export const PUBLIC_EVENT_TYPES: readonly string[] = [...EVENT_DEFINITIONS.values()]
  .filter((definition) => definition.publicFields !== undefined)
  .map((definition) => definition.type)
  .sort();
