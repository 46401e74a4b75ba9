import type { Actor } from '../domain/shared/decider.ts';
import { actorId } from '../domain/shared/decider.ts';
import type { EventMetadata } from './types.ts';

/** Who, when and why: the part of a command envelope every event it causes records. */
export interface CommandOrigin {
  commandId: string;
  correlationId?: string;
  causationId?: string;
  actor: Actor;
  now: Date;
  inputFingerprint?: string;
}

/** The metadata of every event a command appends; the codec adds the schema version. */
export function eventMetadata(origin: CommandOrigin): Omit<EventMetadata, 'schemaVersion'> {
  return {
    commandId: origin.commandId,
    correlationId: origin.correlationId ?? origin.commandId,
    causationId: origin.causationId ?? origin.commandId,
    actor: actorId(origin.actor),
    occurredAt: origin.now.toISOString(),
    ...(origin.inputFingerprint === undefined ? {} : { inputFingerprint: origin.inputFingerprint }),
  };
}
