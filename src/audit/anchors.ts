import type { KeyObject } from 'node:crypto';
import { CHRONICLE_NAMESPACE, eventId, uuidv5 } from '../commands/event-ids.ts';
import { eventMetadata } from '../commands/event-metadata.ts';
import {
  type AuditAnchoredData,
  auditAnchorEventCatalogue,
  auditAnchorEventSchemas,
} from '../domain/audit/anchor-events.ts';
import { type AnchorSignature, signAnchor } from '../domain/audit/anchor-signature.ts';
import { eventLeafHash, MERKLE_ALGORITHM, MerkleAccumulator } from '../domain/audit/merkle.ts';
import { WrongExpectedVersion } from '../eventstore/errors.ts';
import type { EventStore, Position, RecordedEvent } from '../eventstore/port.ts';

/**
 * Anchors in the event store: one `AuditAnchored` event in its own stream per position range,
 * `auditanchor-<uuid v5 of the range start>`. Written through the EventStore port only, so the
 * EventStoreDB adapter anchors (and verifies) like the embedded one.
 *
 * One anchor per start, whoever writes it: the stream is appended with `no_stream`, and a range
 * starts right after the end of the anchor before it, so two writers that read the same last
 * anchor race for the same stream and the store lets exactly one of them win. The anchors form a
 * single chain from position 0, however many projector processes run.
 */

export const ANCHOR_STREAM_PREFIX = 'auditanchor-';
export const ANCHOR_ACTOR = { kind: 'system', process: 'audit-anchoring' } as const;

/** Events read per round trip while collecting or verifying. */
const PAGE_SIZE = 2000;

export interface Anchor {
  fromPosition: Position;
  toPosition: Position;
  eventCount: number;
  merkleRoot: string;
  algorithm: typeof MERKLE_ALGORITHM;
  /** Present when the writer held the signing key. */
  signature?: AnchorSignature;
  /** The anchor event itself. */
  stream: string;
  position: Position;
  eventId: string;
  anchoredAt: Date;
}

export function anchorStreamFor(fromPosition: Position): string {
  return `${ANCHOR_STREAM_PREFIX}${uuidv5(`audit-anchor:${fromPosition}`, CHRONICLE_NAMESPACE)}`;
}

export function isAnchorEvent(event: Pick<RecordedEvent, 'streamName'>): boolean {
  return event.streamName.startsWith(ANCHOR_STREAM_PREFIX);
}

export type ParsedAnchor = { ok: true; anchor: Anchor } | { ok: false; problem: string };

/** An anchor event read back, checked for shape and for sitting in the stream its start names. */
export function parseAnchor(recorded: RecordedEvent): ParsedAnchor {
  if (recorded.type !== 'AuditAnchored') return { ok: false, problem: `type is ${recorded.type}` };
  const parsed = auditAnchorEventSchemas.AuditAnchored.safeParse(recorded.data);
  if (!parsed.success)
    return { ok: false, problem: `data is not an anchor (${parsed.error.issues[0]?.message})` };
  const fromPosition = BigInt(parsed.data.fromPosition);
  if (recorded.streamName !== anchorStreamFor(fromPosition) || recorded.revision !== 0n) {
    return {
      ok: false,
      problem: `an anchor from ${fromPosition} belongs at ${anchorStreamFor(fromPosition)}@0`,
    };
  }
  return {
    ok: true,
    anchor: {
      fromPosition,
      toPosition: BigInt(parsed.data.toPosition),
      eventCount: parsed.data.eventCount,
      merkleRoot: parsed.data.merkleRoot,
      algorithm: parsed.data.algorithm,
      ...(parsed.data.signature ? { signature: parsed.data.signature } : {}),
      stream: recorded.streamName,
      position: recorded.position,
      eventId: recorded.id,
      anchoredAt: recorded.createdAt,
    },
  };
}

/** Every event in anchor streams, in position order (malformed ones too: the verifier reports them). */
export async function* readAnchorEvents(
  store: EventStore,
  from: Position = 0n,
): AsyncGenerator<RecordedEvent> {
  yield* readAllPaged(store, from, { streamNamePrefixes: [ANCHOR_STREAM_PREFIX] });
}

/**
 * The well-formed anchors whose range meets [from, to] (both optional, inclusive), ordered by
 * range. An anchor event always sits above the range it covers, so the read starts at `from`.
 */
export async function listAnchors(
  store: EventStore,
  range: { from?: Position; to?: Position } = {},
): Promise<Anchor[]> {
  const anchors: Anchor[] = [];
  for await (const recorded of readAnchorEvents(store, range.from ?? 0n)) {
    const parsed = parseAnchor(recorded);
    if (!parsed.ok) continue;
    const { anchor } = parsed;
    if (range.from !== undefined && anchor.toPosition < range.from) continue;
    if (range.to !== undefined && anchor.fromPosition > range.to) continue;
    anchors.push(anchor);
  }
  return anchors.sort((a, b) =>
    a.fromPosition < b.fromPosition ? -1 : a.fromPosition > b.fromPosition ? 1 : 0,
  );
}

export class AnchorChainUnreadable extends Error {
  readonly code = 'ANCHOR_CHAIN_UNREADABLE';
}

/**
 * The newest anchor: the next range starts right after it. Each anchor is written only after the
 * one before it was read back, so the newest by position is the end of the chain. A malformed
 * newest anchor stops anchoring (it would otherwise be skipped and its range re-anchored over
 * whatever was changed); `chronicle audit verify` says what is wrong with it.
 */
export async function latestAnchor(store: EventStore): Promise<Anchor | undefined> {
  const [recorded] = await store.readAll({
    direction: 'backwards',
    fromPosition: 'end',
    maxCount: 1,
    filter: { streamNamePrefixes: [ANCHOR_STREAM_PREFIX] },
  });
  if (!recorded) return undefined;
  const parsed = parseAnchor(recorded);
  if (!parsed.ok) {
    throw new AnchorChainUnreadable(
      `the newest anchor event (${recorded.streamName}@${recorded.revision}, position ${recorded.position}) is malformed: ${parsed.problem}`,
    );
  }
  return parsed.anchor;
}

/**
 * Every stored event after `after` (exclusive; undefined = from the start) except anchor events,
 * in position order. Pages restart inclusively at the last event seen rather than at position + 1:
 * EventStoreDB positions are log offsets, and only an event's own position is a valid place to
 * start reading. On the embedded store, positions are assigned in commit order, so no append
 * still in flight can later commit an event among those returned.
 */
export async function* anchorableEventsAfter(
  store: EventStore,
  after: Position | undefined,
): AsyncGenerator<RecordedEvent> {
  for await (const event of readAllPaged(store, after ?? 0n)) {
    if (after !== undefined && event.position <= after) continue;
    if (!isAnchorEvent(event)) yield event;
  }
}

async function* readAllPaged(
  store: EventStore,
  from: Position,
  filter?: { streamNamePrefixes: string[] },
): AsyncGenerator<RecordedEvent> {
  let cursor: Position = from;
  let lastSeen: Position | undefined;
  for (;;) {
    const page = await store.readAll({
      fromPosition: cursor,
      maxCount: PAGE_SIZE,
      ...(filter ? { filter } : {}),
    });
    let fresh = 0;
    for (const event of page) {
      if (lastSeen !== undefined && event.position <= lastSeen) continue;
      lastSeen = event.position;
      fresh++;
      yield event;
    }
    if (page.length < PAGE_SIZE || fresh === 0 || lastSeen === undefined) return;
    cursor = lastSeen;
  }
}

/** A stored event's Merkle leaf (see eventLeafHash): what anchors commit to. */
export function leafOf(event: RecordedEvent): Buffer {
  return eventLeafHash(event);
}

/** A range about to be anchored, or recomputed by the verifier. */
export interface AnchorDraft {
  fromPosition: Position;
  toPosition: Position;
  eventCount: number;
  merkleRoot: string;
}

/** Collects the next range: at most `maxEvents` unanchored events after `previous`. */
export async function collectNextRange(
  store: EventStore,
  previous: Pick<Anchor, 'toPosition'> | undefined,
  maxEvents: number,
): Promise<{ draft: AnchorDraft; oldestAt: Date } | undefined> {
  const merkle = new MerkleAccumulator();
  let last: RecordedEvent | undefined;
  let oldestAt: Date | undefined;
  for await (const event of anchorableEventsAfter(store, previous?.toPosition)) {
    merkle.add(leafOf(event));
    oldestAt ??= event.createdAt;
    last = event;
    if (merkle.size >= maxEvents) break;
  }
  if (!last || !oldestAt) return undefined;
  return {
    draft: {
      fromPosition: previous ? previous.toPosition + 1n : 0n,
      toPosition: last.position,
      eventCount: merkle.size,
      merkleRoot: merkle.root().toString('hex'),
    },
    oldestAt,
  };
}

/** An anchor's fields as its event holds them (and as a signature covers them). */
export function anchorFields(anchor: AnchorDraft): Omit<AuditAnchoredData, 'signature'> {
  return {
    fromPosition: anchor.fromPosition.toString(),
    toPosition: anchor.toPosition.toString(),
    eventCount: anchor.eventCount,
    merkleRoot: anchor.merkleRoot,
    algorithm: MERKLE_ALGORITHM,
  };
}

/** Where an anchor is, for a verification finding. */
export function anchorRefOf(anchor: Anchor) {
  return {
    stream: anchor.stream,
    position: anchor.position,
    eventId: anchor.eventId,
    fromPosition: anchor.fromPosition,
    toPosition: anchor.toPosition,
  };
}

export type AppendAnchorResult = { written: true; position: Position } | { written: false };

/** The key anchors are signed with (see src/audit/signing-key.ts), never stored in the database. */
export interface AnchorSigner {
  privateKey: KeyObject;
  keyId: string;
}

/**
 * Appends one anchor: a single event, so a crash leaves either the anchor or nothing. `written:
 * false` means another writer anchored this start first (its anchor is the one that counts).
 */
export async function appendAnchor(
  store: EventStore,
  draft: AnchorDraft,
  now: Date,
  signer?: AnchorSigner,
): Promise<AppendAnchorResult> {
  const stream = anchorStreamFor(draft.fromPosition);
  const fields = anchorFields(draft);
  const data: AuditAnchoredData = signer
    ? { ...fields, signature: signAnchor(fields, signer.privateKey, signer.keyId) }
    : fields;
  const definition = auditAnchorEventCatalogue.AuditAnchored;
  const commandId = uuidv5(`audit-anchor:${draft.fromPosition}:${draft.toPosition}`, CHRONICLE_NAMESPACE);
  try {
    const result = await store.append(
      stream,
      [
        {
          id: eventId(commandId, stream, 0),
          type: definition.type,
          data: definition.schema.parse(data),
          metadata: {
            ...eventMetadata({ commandId, actor: ANCHOR_ACTOR, now }),
            schemaVersion: definition.schemaVersion,
          },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    return { written: true, position: result.position };
  } catch (error) {
    if (error instanceof WrongExpectedVersion) return { written: false };
    throw error;
  }
}
