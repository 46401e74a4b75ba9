/**
 * Uniqueness across streams (one account per e-mail address): each value gets a stream of its own,
 * and whoever appends the first claim to it (expected revision `no_stream`, or the revision read
 * after a release) holds it. A concurrent claimer's append fails, it re-reads, sees the other
 * owner and gets CONFLICT.
 */
import { conflict } from '../domain/shared/domain-error.ts';
import type { EventStore, Position } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { eventId, uuidv5 } from './event-ids.ts';
import { type CommandOrigin, eventMetadata } from './event-metadata.ts';
import { readStreamOrEmpty } from './load-aggregate.ts';
import {
  currentOwner,
  RESERVATION_SCHEMA_VERSION,
  type ReservationData,
  UNIQUE_VALUE_CLAIMED,
  UNIQUE_VALUE_RELEASED,
} from './reservation-events.ts';
import { retryOnConflict } from './retry-on-conflict.ts';

/** Names reservation streams; fixed forever, or existing reservations would be lost. */
const RESERVATION_NAMESPACE = 'afdf1ceb-ff62-47c8-80be-5ed0793c5bfc';

export interface ReservationDeps {
  store: EventStore;
  log?: Logger;
}

export interface UniqueValue {
  scope: string;
  value: string;
  ownerId: string;
}

export interface UniqueClaim extends UniqueValue {
  /** The DomainError reason another owner's claim fails with, e.g. `EMAIL_TAKEN`. */
  reason: string;
}

export interface ReservationResult {
  stream: string;
  /** False when there was nothing to do: already held (claim) or not held (release) by the owner. */
  changed: boolean;
  /** Position of the event appended; null when nothing changed. */
  position: Position | null;
}

/** The value is hashed: it is personal data and must not appear in stream names or events. */
export function reservationStream(scope: string, value: string): string {
  return `reservation-${uuidv5(`${scope}:${value}`, RESERVATION_NAMESPACE)}`;
}

export async function ownerOf(store: EventStore, scope: string, value: string): Promise<string | null> {
  return currentOwner(await readStreamOrEmpty(store, reservationStream(scope, value)));
}

/** Idempotent for the same owner; CONFLICT with `claim.reason` when someone else holds the value. */
export async function claimUnique(
  deps: ReservationDeps,
  claim: UniqueClaim,
  origin: CommandOrigin,
): Promise<ReservationResult> {
  return change(deps, claim, origin, UNIQUE_VALUE_CLAIMED, (owner) => {
    if (owner === claim.ownerId) return false;
    if (owner !== null) {
      throw conflict(claim.reason, `This ${claim.scope} is already taken`, { scope: claim.scope });
    }
    return true;
  });
}

/** Releases the value if `ownerId` holds it; otherwise does nothing. */
export async function releaseUnique(
  deps: ReservationDeps,
  release: UniqueValue,
  origin: CommandOrigin,
): Promise<ReservationResult> {
  return change(deps, release, origin, UNIQUE_VALUE_RELEASED, (owner) => owner === release.ownerId);
}

/**
 * Claims the value, runs `work`, and releases the value again if `work` throws, so a failed
 * registration does not keep the address. Only a claim this call made is released: a value the
 * owner already held (an earlier, successful run of the same command) stays theirs.
 */
export async function withReservation<T>(
  deps: ReservationDeps,
  claim: UniqueClaim,
  origin: CommandOrigin,
  work: () => Promise<T>,
): Promise<T> {
  const claimed = await claimUnique(deps, claim, origin);
  try {
    return await work();
  } catch (error) {
    if (claimed.changed) await releaseAfterFailure(deps, claim, origin);
    throw error;
  }
}

/** The caller needs the work's error, not the release's; a failed release is reported in the log. */
async function releaseAfterFailure(deps: ReservationDeps, claim: UniqueClaim, origin: CommandOrigin) {
  try {
    await releaseUnique(deps, claim, origin);
  } catch (releaseError) {
    deps.log?.error(
      { err: releaseError, stream: reservationStream(claim.scope, claim.value), ownerId: claim.ownerId },
      'could not release a reservation after the work it guarded failed; the value stays reserved',
    );
  }
}

async function change(
  deps: ReservationDeps,
  target: UniqueValue,
  origin: CommandOrigin,
  type: typeof UNIQUE_VALUE_CLAIMED | typeof UNIQUE_VALUE_RELEASED,
  shouldAppend: (owner: string | null) => boolean,
): Promise<ReservationResult> {
  const stream = reservationStream(target.scope, target.value);
  return retryOnConflict(
    stream,
    async () => {
      const events = await readStreamOrEmpty(deps.store, stream);
      if (!shouldAppend(currentOwner(events))) return { stream, changed: false, position: null };
      const revision = events.at(-1)?.revision ?? null;
      const data: ReservationData = { scope: target.scope, ownerId: target.ownerId };
      // The id includes the revision the event will get: one command may claim, release and
      // claim again, and each of those events needs an id of its own.
      const nextRevision = revision === null ? 0 : Number(revision) + 1;
      const appended = await deps.store.append(
        stream,
        [
          {
            id: eventId(origin.commandId, stream, nextRevision),
            type,
            data,
            metadata: { ...eventMetadata(origin), schemaVersion: RESERVATION_SCHEMA_VERSION },
          },
        ],
        { expectedRevision: revision ?? 'no_stream' },
      );
      return { stream, changed: true, position: appended.position };
    },
    { log: deps.log },
  );
}
