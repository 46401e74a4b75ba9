import type { Actor, Decider, DomainEvent } from '../domain/shared/decider.ts';
import type { EventCatalogue } from '../domain/shared/event-catalogue.ts';

/** A command as the pipeline receives it: the domain command plus who, when and why. */
export interface CommandEnvelope<Command> {
  /** UUID. Event ids derive from it, so a retried command appends nothing twice. */
  commandId: string;
  /** Ties together everything one request or saga caused; defaults to the command id. */
  correlationId?: string;
  /** The command or event that caused this one; defaults to the command id. */
  causationId?: string;
  actor: Actor;
  /** The command's time: deciders never read the clock. */
  now: Date;
  command: Command;
  /**
   * With a client's idempotency key: the fingerprint of the input the command was made from. Its
   * events record it, and a later command with the same id but another fingerprint is refused.
   */
  inputFingerprint?: string;
}

/** Metadata written on every event (the hash chain is added by the event store). */
export interface EventMetadata {
  commandId: string;
  correlationId: string;
  causationId: string;
  /** `user:<id>`, `system:<process>`, `integration:<key>` or `anonymous`. */
  actor: string;
  occurredAt: string;
  schemaVersion: number;
  /** The fingerprint of the client input an idempotency key bound the command to (see idempotency.ts). */
  inputFingerprint?: string;
  /**
   * The community that owns the event, on every event of a community-owned aggregate (see
   * `AggregateSpec.communityOf`): a community's data can be found, exported and erased as a unit
   * without decoding a single event, and sharded by it.
   */
  communityId?: string;
}

/** One aggregate type: the decider that guards it and the catalogue its events are stored with. */
export interface AggregateSpec<Command, Event extends DomainEvent, State> {
  decider: Decider<Command, Event, State>;
  catalogue: EventCatalogue<Event>;
  /**
   * For aggregates owned by a community: the community of each event it appends, written into the
   * event's metadata by the pipeline itself (so no use case can forget it).
   */
  communityOf?: (event: Event) => string;
}

export interface CommandResult<Event> {
  stream: string;
  /** The stream's revision after the command; null when the stream still has no events. */
  streamRevision: bigint | null;
  /** Global position of the last event written (or found, if replayed); null if none. */
  position: bigint | null;
  /** The events this command appended, or those an earlier run of the same command appended. */
  events: Event[];
  /** True when the command had already been handled and nothing new was appended. */
  replayed: boolean;
}
