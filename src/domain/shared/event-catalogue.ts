import type { z } from 'zod';
import type { DomainEvent } from './decider.ts';

/**
 * How one event type is stored. `schema` validates the current version's data on the way in and
 * after upcasting on the way out; `upcasters[v]` turns version v's data into version v+1's, so a
 * stored event is never rewritten. `personalFields` are encrypted with the key of the person
 * `subject(data)` names, so forgetting that person erases them everywhere without touching history.
 */
export interface EventDefinition<Type extends string = string, Data = unknown> {
  type: Type;
  schemaVersion: number;
  schema: z.ZodType<Data>;
  upcasters?: Readonly<Record<number, (data: unknown) => unknown>>;
  /** Top-level data fields holding personal data (strings or null). */
  personalFields?: readonly string[];
  /**
   * Whose personal data this event holds; required when `personalFields` is set. A method, so that
   * every definition is also an `EventDefinition` (of unknown data) the codec can look up by type:
   * it only ever calls it with data the same definition's schema has just parsed.
   */
  subject?(data: Data): string;
  /**
   * The data fields that may ever leave the backend to integrators. Anything else (password hashes,
   * token hashes, internal bookkeeping) never does. Which types are published, to whom and with
   * which of these fields is the integrator catalogue's choice (src/api/events/published-events.ts).
   * Personal fields sent are shown while the person is known and as null once they are forgotten.
   */
  publicFields?: readonly string[];
  /**
   * Top-level data fields that let whoever reads them act as someone (password and token hashes,
   * second-factor secrets and backup codes). The history keeps them; audit answers show only that
   * they were set, never their values.
   */
  credentialFields?: readonly string[];
}

/** The event definitions of one bounded context, by type. */
export type EventCatalogue<Event extends DomainEvent> = {
  readonly [Type in Event['type']]: EventDefinition<Type, Extract<Event, { type: Type }>['data']>;
};
