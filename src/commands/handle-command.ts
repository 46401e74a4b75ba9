import type { DomainEvent } from '../domain/shared/decider.ts';
import { DomainError } from '../domain/shared/domain-error.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { definitionOf, type EventCodec } from './event-codec.ts';
import { eventId } from './event-ids.ts';
import { eventMetadata } from './event-metadata.ts';
import { refuseOtherInput } from './idempotency.ts';
import { type LoadedAggregate, loadAggregate } from './load-aggregate.ts';
import { retryOnConflict } from './retry-on-conflict.ts';
import type { AggregateSpec, CommandEnvelope, CommandResult } from './types.ts';

export interface CommandDeps {
  store: EventStore;
  codec: EventCodec;
  log?: Logger;
  /** Told how every handled command went (metrics). */
  observeCommand?: CommandObserver;
}

/** How one command went: `rejected` is a DomainError (the decider said no), `failed` anything else. */
export interface CommandObservation {
  commandType: string;
  outcome: 'ok' | 'replayed' | 'rejected' | 'failed';
  /** The whole pipeline, conflict retries included. */
  seconds: number;
}

export type CommandObserver = (observation: CommandObservation) => void;

export interface HandleCommandOptions {
  /** Attempts before a concurrency conflict becomes a CONFLICT / CONCURRENCY error (default 5). */
  maxAttempts?: number;
}

/**
 * The write side's one path: read the stream, fold, decide, append with the revision read, and on
 * a concurrent write start over (bounded). A command whose id is already in the stream is not
 * decided again: its earlier events are returned (`replayed`), so retries are safe; unless they
 * were recorded for other input (IDEMPOTENCY_KEY_REUSED, see idempotency.ts).
 * DomainErrors from the decider propagate unchanged.
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  deps: CommandDeps,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  envelope: CommandEnvelope<Command>,
  options: HandleCommandOptions = {},
): Promise<CommandResult<Event>> {
  const started = performance.now();
  const observe = (outcome: CommandObservation['outcome']) =>
    deps.observeCommand?.({
      commandType: commandTypeOf(envelope.command),
      outcome,
      seconds: (performance.now() - started) / 1000,
    });
  let result: CommandResult<Event>;
  try {
    result = await retryOnConflict(
      stream,
      async () => {
        const loaded = await loadAggregate(deps, spec, stream);
        return replay(loaded, stream, envelope) ?? decideAndAppend(deps, spec, stream, envelope, loaded);
      },
      { maxAttempts: options.maxAttempts, log: deps.log },
    );
  } catch (error) {
    observe(error instanceof DomainError ? 'rejected' : 'failed');
    throw error;
  }
  observe(result.replayed ? 'replayed' : 'ok');
  return result;
}

/** Commands are discriminated unions, but the pipeline is generic over them: read `type` if there. */
function commandTypeOf(command: unknown): string {
  const type =
    typeof command === 'object' && command !== null && 'type' in command ? command.type : undefined;
  return typeof type === 'string' ? type : 'unknown';
}

/** The earlier run of this command, if its events are in the stream; refused if made from other input. */
function replay<Event extends DomainEvent>(
  loaded: LoadedAggregate<Event, unknown>,
  stream: string,
  envelope: Pick<CommandEnvelope<unknown>, 'commandId' | 'inputFingerprint'>,
): CommandResult<Event> | undefined {
  const earlier = loaded.events.filter(
    (loadedEvent) => loadedEvent.metadata.commandId === envelope.commandId,
  );
  const last = earlier.at(-1);
  if (!last) return undefined;
  refuseOtherInput(earlier, envelope);
  return {
    stream,
    streamRevision: loaded.revision,
    position: last.recorded.position,
    events: earlier.map((loadedEvent) => loadedEvent.event),
    replayed: true,
  };
}

async function decideAndAppend<Command, Event extends DomainEvent, State>(
  deps: CommandDeps,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  envelope: CommandEnvelope<Command>,
  loaded: LoadedAggregate<Event, State>,
): Promise<CommandResult<Event>> {
  const events = spec.decider.decide(envelope.command, loaded.state, {
    actor: envelope.actor,
    now: envelope.now,
  });
  if (events.length === 0) {
    return { stream, streamRevision: loaded.revision, position: loaded.position, events, replayed: false };
  }
  const metadata = eventMetadata(envelope);
  const toAppend = await Promise.all(
    events.map((event, index) => {
      const definition = definitionOf(spec.catalogue, event.type);
      if (!definition) {
        throw new Error(`Event ${event.type} is not in the catalogue of ${stream}'s aggregate`);
      }
      const communityId = spec.communityOf?.(event);
      const owned = communityId === undefined ? metadata : { ...metadata, communityId };
      return deps.codec.encode(definition, event, owned, eventId(envelope.commandId, stream, index));
    }),
  );
  const appended = await deps.store.append(stream, toAppend, {
    expectedRevision: loaded.revision ?? 'no_stream',
  });
  return {
    stream,
    streamRevision: appended.nextExpectedRevision,
    position: appended.position,
    events,
    replayed: false,
  };
}
