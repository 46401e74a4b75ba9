import { createHash } from 'node:crypto';
import type { DomainEvent } from '../domain/shared/decider.ts';
import { conflict } from '../domain/shared/domain-error.ts';
import { canonicalJson } from '../eventstore/hash-chain.ts';
import { type LoadDeps, loadAggregate } from './load-aggregate.ts';
import type { AggregateSpec, CommandEnvelope, EventMetadata } from './types.ts';

/**
 * An idempotency key binds to the input it was first used with. The key names the command id (see
 * `commandIdFor`), and every event the command records carries the fingerprint of its input in
 * the metadata (`inputFingerprint`). A retry with the same key finds those events: with the same
 * input it is answered with them (replayed); with other input it is refused as
 * CONFLICT/IDEMPOTENCY_KEY_REUSED and appends nothing, where it used to be answered with the first
 * outcome as if it had been done. The fingerprints live with the events, so the binding holds
 * across restarts and API processes. A command that recorded nothing (refused, or a no-op) binds
 * nothing: its key may be used again, with any input.
 */

/**
 * SHA-256 of the input's canonical JSON (keys sorted, absent fields left out, null kept: a null
 * `bio` clears it, an absent one leaves it), salted with the command id so that equal inputs under
 * different keys do not show as equal in the store. The caller leaves secrets out: a fast hash of
 * a password next to the rest of the input would be a way to guess it.
 */
export function inputFingerprint(commandId: string, input: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(`${commandId}\n${canonicalJson(input)}`)
    .digest('base64url');
}

export const idempotencyKeyReused = () =>
  conflict(
    'IDEMPOTENCY_KEY_REUSED',
    'This idempotency key was already used for a request with different input; use a new key for a new request',
  );

/**
 * Refuses a command whose earlier events (those of `events` with its command id) were recorded for
 * other input. Events recorded without a fingerprint (before keys were bound to inputs) and
 * commands without one are let through.
 */
export function refuseOtherInput(
  events: readonly { metadata: Pick<EventMetadata, 'commandId' | 'inputFingerprint'> }[],
  command: Pick<CommandEnvelope<unknown>, 'commandId' | 'inputFingerprint'>,
): void {
  const { commandId, inputFingerprint } = command;
  if (inputFingerprint === undefined) return;
  for (const { metadata } of events) {
    if (metadata.commandId !== commandId || metadata.inputFingerprint === undefined) continue;
    if (metadata.inputFingerprint !== inputFingerprint) throw idempotencyKeyReused();
  }
}

/**
 * The same check before any work, for use cases that write other streams before the one the
 * command lands on (a reservation) and so must not wait for the pipeline to find the replay.
 */
export async function refuseReusedKey<Command, Event extends DomainEvent, State>(
  deps: LoadDeps,
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  command: Pick<CommandEnvelope<Command>, 'commandId' | 'inputFingerprint'>,
): Promise<void> {
  if (command.inputFingerprint === undefined) return;
  refuseOtherInput((await loadAggregate(deps, spec, stream)).events, command);
}
