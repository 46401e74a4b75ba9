import type { EventCodec } from '../../commands/event-codec.ts';
import type { EventMetadata } from '../../commands/types.ts';
import type { DomainEvent } from '../../domain/shared/decider.ts';
import type { EventCatalogue } from '../../domain/shared/event-catalogue.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';

/**
 * Start a workflow for an event. The id must be derived from the event (e.g.
 * `publishing-<contentId>-<publicationId>`): starting it again, after a replay or a retry, is then
 * refused by Temporal and counts as done, so an event never starts a second saga.
 */
export interface StartWorkflow {
  kind: 'start';
  /** The name of a function exported by src/workflows/workflows.ts. */
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  /** JSON values (no bigint, no Date): they travel as Temporal payloads. */
  args: readonly unknown[];
}

/**
 * Hand an event to a running workflow. Delivered at least once (a replay or a retried call sends
 * it again), so the payload should carry the event id and the workflow ignore ids it has seen.
 * A workflow that does not exist or has already closed no longer waits for it: that counts as done.
 */
export interface SignalWorkflow {
  kind: 'signal';
  workflowId: string;
  signal: string;
  args: readonly unknown[];
}

export type Action = StartWorkflow | SignalWorkflow;

/** What a reaction is given: the decoded event and where it is stored. */
export interface ReactionInput<Event extends DomainEvent> {
  event: Event;
  metadata: EventMetadata;
  recorded: Pick<RecordedEvent, 'id' | 'streamName' | 'revision' | 'position'>;
}

/**
 * How the process manager answers one kind of event: pure and synchronous, like a decider, so it
 * is specified without Temporal. It sees only `eventTypes`, decoded with `catalogue`.
 */
export interface Reaction<Event extends DomainEvent> {
  /** Names the reaction in logs and failures. */
  name: string;
  catalogue: EventCatalogue<Event>;
  eventTypes: readonly Event['type'][];
  react(input: ReactionInput<Event>): readonly Action[];
}

/** A reaction with its event type erased, so reactions over different catalogues share one list. */
export interface RegisteredReaction {
  readonly name: string;
  readonly eventTypes: readonly string[];
  actionsFor(recorded: RecordedEvent, codec: Pick<EventCodec, 'decode'>): Promise<readonly Action[]>;
}

export function defineReaction<Event extends DomainEvent>(reaction: Reaction<Event>): RegisteredReaction {
  const known: readonly string[] = Object.keys(reaction.catalogue);
  const unknown = reaction.eventTypes.filter((type) => !known.includes(type));
  if (unknown.length > 0) {
    throw new Error(`Reaction ${reaction.name} handles types its catalogue lacks: ${unknown.join(', ')}`);
  }
  const handled: readonly string[] = reaction.eventTypes;
  return {
    name: reaction.name,
    eventTypes: handled,
    async actionsFor(recorded, codec) {
      if (!handled.includes(recorded.type)) return [];
      const decoded = await codec.decode(reaction.catalogue, recorded);
      if (!decoded) return [];
      const { id, streamName, revision, position } = recorded;
      return reaction.react({
        event: decoded.event,
        metadata: decoded.metadata,
        recorded: { id, streamName, revision, position },
      });
    },
  };
}

export function describeAction(action: Action): string {
  return action.kind === 'start'
    ? `start ${action.workflowType} ${action.workflowId}`
    : `signal ${action.signal} to ${action.workflowId}`;
}
