import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../../commands/event-codec.ts';
import { uuidv5 } from '../../commands/event-ids.ts';
import { type CommandObserver, handleCommand } from '../../commands/handle-command.ts';
import { idempotencyKeyReused, inputFingerprint } from '../../commands/idempotency.ts';
import type { AggregateSpec, CommandEnvelope, CommandResult } from '../../commands/types.ts';
import type { Actor, DomainEvent } from '../../domain/shared/decider.ts';
import { actorId } from '../../domain/shared/decider.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';

/** What every context's use cases need from the outside world to issue commands. */
export interface ServiceDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  clock?: () => Date;
  /**
   * Read-your-writes: resolves true once the read models have applied everything up to `position`,
   * false when the caller's timeout passed first. Given the types of the events written, it waits
   * only for the read models that handle one of them. Without it, use cases return once events
   * are stored.
   */
  settle?: (position: bigint, eventTypes?: readonly string[]) => Promise<boolean>;
  /** Handed to the command pipeline: told how long each command took (metrics). */
  observeCommand?: CommandObserver;
}

/**
 * Every command goes through here: the pipeline, then (when the deps can) a bounded wait until the
 * read models show the result, so the caller's next request sees its own change. This includes
 * failures that still recorded something (a revoked session after refresh-token reuse).
 */
export async function execute<Command, Event extends DomainEvent, State>(
  deps: ServiceDeps,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  command: CommandEnvelope<Command>,
): Promise<CommandResult<Event>> {
  const result = await handleCommand(deps, spec, stream, command);
  if (deps.settle && result.position !== null)
    await deps.settle(
      result.position,
      result.events.map((e) => e.type),
    );
  return result;
}

/** Who is asking, and the request that carries it (for correlation). */
export interface RequestContext {
  actor: Actor;
  /** The access token's session, when the actor signed in interactively. */
  sessionId?: string;
  correlationId: string;
}

/** Namespace for command ids derived from client idempotency keys. */
const IDEMPOTENCY_NAMESPACE = '7c0f2a4e-5b7d-4f51-9a43-2a1c9e1d6b30';

/** A use case's validated input; `idempotencyKey`, when given, names the command. */
export type KeyedInput = Readonly<Record<string, unknown>> & { readonly idempotencyKey?: string | null };

/**
 * The fingerprints of the inputs each request's keyed commands were made from, by command id:
 * `commandIdFor` notes them, `envelope` puts them on the command, whose events then record them.
 * Kept beside the request's context rather than in it, so that every use case keeps passing its
 * context and command id as it did; gone with the context.
 */
const inputFingerprints = new WeakMap<RequestContext, Map<string, string>>();

/**
 * A command id: derived from the client's idempotency key (scoped to the actor and the operation,
 * so two clients' keys never collide) or fresh. With a key, the command is bound to `input` (see
 * commands/idempotency.ts): a retry with the key and the same input replays the first outcome, and
 * one with other input is refused. `secrets` are fields left out of the fingerprint (passwords);
 * the use case checks those on a replay against what the first run stored (as a slow hash).
 */
export function commandIdFor(
  context: RequestContext,
  operation: string,
  input?: KeyedInput,
  options: { secrets?: readonly string[] } = {},
): string {
  const key = input?.idempotencyKey;
  if (!key) return randomUUID();
  const commandId = uuidv5(`${actorId(context.actor)}:${operation}:${key}`, IDEMPOTENCY_NAMESPACE);
  const fingerprinted = Object.fromEntries(
    Object.entries(input).filter(
      ([field]) => field !== 'idempotencyKey' && !options.secrets?.includes(field),
    ),
  );
  const fingerprint = inputFingerprint(commandId, fingerprinted);
  const noted = inputFingerprints.get(context) ?? new Map<string, string>();
  // One request using a key twice (aliased mutations) with different input.
  if ((noted.get(commandId) ?? fingerprint) !== fingerprint) throw idempotencyKeyReused();
  inputFingerprints.set(context, noted.set(commandId, fingerprint));
  return commandId;
}

export function envelope<Command>(
  context: RequestContext,
  commandId: string,
  now: Date,
  command: Command,
  actor: Actor = context.actor,
): CommandEnvelope<Command> {
  const inputFingerprint = inputFingerprints.get(context)?.get(commandId);
  return {
    commandId,
    correlationId: context.correlationId,
    actor,
    now,
    command,
    ...(inputFingerprint === undefined ? {} : { inputFingerprint }),
  };
}

export const nowFrom = (deps: Pick<ServiceDeps, 'clock'>) => (deps.clock ? deps.clock() : new Date());
