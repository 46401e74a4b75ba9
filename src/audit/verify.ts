import type { KeyObject } from 'node:crypto';
import { keyIdOf } from '../domain/audit/anchor-signature.ts';
import { MerkleAccumulator } from '../domain/audit/merkle.ts';
import { StreamDeleted, StreamNotFound } from '../eventstore/errors.ts';
import type { ChainVerification, EventStore, Position, RecordedEvent } from '../eventstore/port.ts';
import { verifyChain } from '../eventstore/verify-chain.ts';
import {
  type Anchor,
  anchorableEventsAfter,
  anchorRefOf,
  anchorStreamFor,
  leafOf,
  parseAnchor,
  readAnchorEvents,
} from './anchors.ts';
import { publishedFindings, publishedUpTo, signatureFindings } from './published-roots.ts';
import type { PublishedRoot } from './root-publication.ts';

/**
 * `chronicle audit verify`: recomputes what the store claims about itself.
 *
 * - Per-stream hash chains, through `store.verifyStream` (each adapter reads what its chain
 *   covers: the embedded store every stored event, soft-deleted and truncated streams included).
 * - Anchors: read back, checked for shape and contiguity, and each one's count and Merkle root
 *   recomputed from the events `readAll` returns in its range. The embedded store's readAll
 *   returns every stored event whatever the stream's metadata says, so a stream deleted or
 *   truncated through the port is not tampering and is never reported.
 * - Within a stream, revisions must grow with position (a swap of two of its events shows here,
 *   naming the event, before the anchor root does).
 *
 * - With a public key: every anchor is signed by its holder. With published roots: every root
 *   published outside the database is still, field for field, the store's anchor (see
 *   published-roots.ts). These catch history rewritten and re-anchored with database access alone.
 *
 * Events after the newest anchor are reported as unanchored: only their stream chains vouch for
 * them, and on the embedded store each stream's head (revision and last link in es_streams), so
 * deleting a stream's last events shows unless the head is rewritten too. Deleting the newest
 * anchor only lengthens this tail: against a rewrite of the tail, only roots kept outside the
 * database (an export manifest, a published root) are evidence.
 */

export interface EventRef {
  stream: string;
  revision: bigint;
  position?: Position;
  eventId: string;
}

export interface AnchorRef {
  stream: string;
  position?: Position;
  eventId?: string;
  fromPosition: Position;
  toPosition: Position;
}

export type FindingCode =
  | 'CHAIN_BROKEN'
  | 'OUT_OF_ORDER'
  | 'ANCHOR_COUNT_MISMATCH'
  | 'ANCHOR_ROOT_MISMATCH'
  | 'ANCHOR_MISSING'
  | 'ANCHOR_OVERLAP'
  | 'ANCHOR_MALFORMED'
  /** The stream's head (its recorded revision and last link) is past its last stored event. */
  | 'STREAM_HEAD_MISMATCH'
  /** --public-key: an anchor without a signature, or with one that does not verify. */
  | 'ANCHOR_UNSIGNED'
  | 'ANCHOR_SIGNATURE_INVALID'
  /** --against: a published root the store lacks, differs from, or that was itself altered. */
  | 'PUBLISHED_ANCHOR_MISSING'
  | 'PUBLISHED_ROOT_MISMATCH'
  | 'PUBLISHED_SIGNATURE_INVALID';

export interface Finding {
  code: FindingCode;
  /** The broken event, when one can be named (a deleted event cannot). */
  event?: EventRef;
  anchor?: AnchorRef;
  message: string;
}

export interface VerificationReport {
  ok: boolean;
  scope: { kind: 'all' } | { kind: 'stream'; stream: string };
  streams: { checked: number; events: number; unreadable: string[] };
  /** Only for `all`. */
  anchors?: { count: number; events: number; fromPosition?: Position; toPosition?: Position };
  unanchored?: { events: number; fromPosition?: Position; toPosition?: Position; oldestAt?: Date };
  /** With --public-key: whose key, and from which position anchors had to be signed. */
  signatures?: { keyId: string; signedFrom: Position };
  /** With --against: how many roots the published copy holds and how far they reach. */
  published?: { roots: number; toPosition?: Position };
  /** Ordered by where in history they are; the first is the first broken thing. */
  findings: Finding[];
  durationMs: number;
}

const CHAIN_CONCURRENCY = 8;

export async function verifyStreamChain(store: EventStore, stream: string): Promise<VerificationReport> {
  const started = performance.now();
  const verification = await store.verifyStream(stream);
  const findings = verification.ok ? [] : [await chainFinding(store, verification)];
  return {
    ok: findings.length === 0,
    scope: { kind: 'stream', stream },
    streams: { checked: 1, events: verification.checked, unreadable: [] },
    findings,
    durationMs: performance.now() - started,
  };
}

interface AnchorTally {
  anchor: Anchor;
  merkle: MerkleAccumulator;
  first?: RecordedEvent;
}

interface Gap {
  fromPosition: Position;
  toPosition: Position;
  events: number;
  first?: RecordedEvent;
}

export interface VerifyOptions {
  /** Anchors from `signedFrom` (default 0) on must be signed by this key. */
  publicKey?: KeyObject;
  signedFrom?: Position;
  /** Roots published outside the database, which the store's anchors must match. */
  published?: readonly PublishedRoot[];
}

export async function verifyAll(store: EventStore, options: VerifyOptions = {}): Promise<VerificationReport> {
  const started = performance.now();
  const located: { finding: Finding; key: Position; rank: number }[] = [];
  const { tallies, gaps, problems } = await readAnchors(store);
  located.push(...problems);

  const coveredTo = tallies.reduce<Position | undefined>(
    (max, t) => (max === undefined || t.anchor.toPosition > max ? t.anchor.toPosition : max),
    undefined,
  );
  const lastRevision = new Map<string, bigint>();
  const unanchored: NonNullable<VerificationReport['unanchored']> = { events: 0 };
  let events = 0;
  let next = 0;
  for await (const event of anchorableEventsAfter(store, undefined)) {
    events++;
    const previousRevision = lastRevision.get(event.streamName);
    if (previousRevision !== undefined && event.revision <= previousRevision) {
      located.push({
        finding: {
          code: 'OUT_OF_ORDER',
          event: refOf(event),
          message: `revision ${event.revision} is stored after revision ${previousRevision} of the same stream: events were reordered`,
        },
        key: event.position,
        rank: 0,
      });
    }
    lastRevision.set(event.streamName, event.revision);

    if (coveredTo === undefined || event.position > coveredTo) {
      unanchored.events++;
      unanchored.fromPosition ??= event.position;
      unanchored.toPosition = event.position;
      unanchored.oldestAt ??= event.createdAt;
      continue;
    }
    while (next < tallies.length && (tallies[next]?.anchor.toPosition ?? 0n) < event.position) next++;
    const leaf = leafOf(event);
    let anchored = false;
    for (let i = next; i < tallies.length; i++) {
      const tally = tallies[i];
      if (!tally || tally.anchor.fromPosition > event.position) break;
      if (tally.anchor.toPosition < event.position) continue;
      tally.merkle.add(leaf);
      tally.first ??= event;
      anchored = true;
    }
    if (!anchored) {
      const gap = gaps.find((g) => g.fromPosition <= event.position && event.position <= g.toPosition);
      if (gap) {
        gap.events++;
        gap.first ??= event;
      }
    }
  }

  for (const tally of tallies) located.push(...recomputed(tally));
  for (const gap of gaps) located.push(missing(gap));
  const anchors = tallies.map((t) => t.anchor);
  const signedFrom = options.signedFrom ?? 0n;
  if (options.publicKey) located.push(...signatureFindings(anchors, options.publicKey, signedFrom));
  if (options.published) located.push(...publishedFindings(anchors, options.published, options.publicKey));

  const streams = [...lastRevision.keys(), ...tallies.map((t) => t.anchor.stream)];
  const chains = await verifyChains(store, streams);
  for (const verification of chains.broken) {
    const finding = await chainFinding(store, verification);
    located.push({ finding, key: finding.event?.position ?? 0n, rank: 0 });
  }
  for (const verification of chains.headless) {
    const finding = headFinding(verification);
    located.push({ finding, key: finding.event?.position ?? 0n, rank: 0 });
  }

  located.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.rank - b.rank));
  const findings = located.map((l) => l.finding);
  return {
    ok: findings.length === 0,
    scope: { kind: 'all' },
    streams: { checked: streams.length, events, unreadable: chains.unreadable },
    anchors: {
      count: tallies.length,
      events: tallies.reduce((sum, t) => sum + t.anchor.eventCount, 0),
      ...(tallies.length > 0 ? { fromPosition: tallies[0]?.anchor.fromPosition, toPosition: coveredTo } : {}),
    },
    unanchored,
    ...(options.publicKey ? { signatures: { keyId: keyIdOf(options.publicKey), signedFrom } } : {}),
    ...(options.published
      ? { published: { roots: options.published.length, toPosition: publishedUpTo(options.published) } }
      : {}),
    findings,
    durationMs: performance.now() - started,
  };
}

async function readAnchors(store: EventStore) {
  const tallies: AnchorTally[] = [];
  const problems: { finding: Finding; key: Position; rank: number }[] = [];
  for await (const recorded of readAnchorEvents(store)) {
    const parsed = parseAnchor(recorded);
    if (parsed.ok) {
      tallies.push({ anchor: parsed.anchor, merkle: new MerkleAccumulator() });
      continue;
    }
    problems.push({
      finding: {
        code: 'ANCHOR_MALFORMED',
        event: refOf(recorded),
        message: `the event in anchor stream ${recorded.streamName} is not a valid anchor: ${parsed.problem}`,
      },
      key: recorded.position,
      rank: 0,
    });
  }
  tallies.sort((a, b) => compare(a.anchor.fromPosition, b.anchor.fromPosition));
  const gaps: Gap[] = [];
  let expectedFrom = 0n;
  for (const { anchor } of tallies) {
    if (anchor.fromPosition > expectedFrom) {
      gaps.push({ fromPosition: expectedFrom, toPosition: anchor.fromPosition - 1n, events: 0 });
    } else if (anchor.fromPosition < expectedFrom) {
      problems.push({
        finding: {
          code: 'ANCHOR_OVERLAP',
          anchor: anchorRefOf(anchor),
          message: `anchor ${anchor.stream} starts at ${anchor.fromPosition}, inside a range an earlier anchor covers (up to ${expectedFrom - 1n})`,
        },
        key: anchor.fromPosition,
        rank: 1,
      });
    }
    if (anchor.toPosition + 1n > expectedFrom) expectedFrom = anchor.toPosition + 1n;
  }
  return { tallies, gaps, problems };
}

function recomputed(tally: AnchorTally): { finding: Finding; key: Position; rank: number }[] {
  const { anchor, merkle } = tally;
  const where = `anchor ${anchor.stream} (positions ${anchor.fromPosition}..${anchor.toPosition}, anchor event at position ${anchor.position}, id ${anchor.eventId})`;
  const base = { anchor: anchorRefOf(anchor), ...(tally.first ? { event: refOf(tally.first) } : {}) };
  if (merkle.size !== anchor.eventCount) {
    const change = merkle.size < anchor.eventCount ? 'deleted from' : 'added to';
    return [
      {
        finding: {
          code: 'ANCHOR_COUNT_MISMATCH',
          ...base,
          message: `${where}: it recorded ${anchor.eventCount} events, ${merkle.size} are stored now: events were ${change} its range`,
        },
        key: anchor.toPosition,
        rank: 1,
      },
    ];
  }
  const root = merkle.root().toString('hex');
  if (root === anchor.merkleRoot) return [];
  return [
    {
      finding: {
        code: 'ANCHOR_ROOT_MISMATCH',
        ...base,
        message: `${where}: Merkle root recorded ${anchor.merkleRoot}, recomputed ${root}: events in its range were changed, replaced or reordered`,
      },
      key: anchor.toPosition,
      rank: 1,
    },
  ];
}

function missing(gap: Gap): { finding: Finding; key: Position; rank: number } {
  return {
    finding: {
      code: 'ANCHOR_MISSING',
      anchor: {
        stream: anchorStreamFor(gap.fromPosition),
        fromPosition: gap.fromPosition,
        toPosition: gap.toPosition,
      },
      ...(gap.first ? { event: refOf(gap.first) } : {}),
      message: `no anchor covers positions ${gap.fromPosition}..${gap.toPosition} (${gap.events} events): the anchor ${anchorStreamFor(gap.fromPosition)} that started there was deleted`,
    },
    key: gap.toPosition,
    rank: 1,
  };
}

async function verifyChains(
  store: EventStore,
  streams: readonly string[],
): Promise<{ broken: ChainVerification[]; headless: ChainVerification[]; unreadable: string[] }> {
  const broken: ChainVerification[] = [];
  const headless: ChainVerification[] = [];
  const unreadable: string[] = [];
  let index = 0;
  const worker = async () => {
    for (let stream = streams[index++]; stream !== undefined; stream = streams[index++]) {
      try {
        const verification = await store.verifyStream(stream);
        if (!verification.ok) (verification.firstBroken ? broken : headless).push(verification);
      } catch (error) {
        // EventStoreDB's verifyStream reads through the stream, which a deletion hides until a
        // scavenge: its events are still in $all, so the chain is checked from there.
        if (!(error instanceof StreamNotFound || error instanceof StreamDeleted)) throw error;
        unreadable.push(stream);
        const events: RecordedEvent[] = [];
        for await (const event of anchorableEventsOfStream(store, stream)) events.push(event);
        const verification = verifyChain(stream, events);
        if (!verification.ok) broken.push(verification);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHAIN_CONCURRENCY, streams.length) }, worker));
  return { broken, headless, unreadable: unreadable.sort() };
}

function headFinding(verification: ChainVerification): Finding {
  const head = verification.head;
  if (!head) throw new Error(`verifyStream(${verification.stream}) failed without naming an event`);
  const last = head.lastStored;
  return {
    code: 'STREAM_HEAD_MISMATCH',
    ...(last
      ? {
          event: {
            stream: verification.stream,
            revision: last.revision,
            position: last.position,
            eventId: last.eventId,
          },
        }
      : {}),
    message: `the stream's head records revision ${head.revision} (link ${head.hash}) but its last stored event is ${last ? `revision ${last.revision}` : 'none'}: events at its end were deleted`,
  };
}

async function chainFinding(store: EventStore, verification: ChainVerification): Promise<Finding> {
  if (!verification.firstBroken && verification.head) return headFinding(verification);
  const broken = verification.firstBroken;
  if (!broken) throw new Error(`verifyStream(${verification.stream}) failed without naming an event`);
  const position = await positionOf(store, verification.stream, broken.eventId);
  return {
    code: 'CHAIN_BROKEN',
    event: {
      stream: verification.stream,
      revision: broken.revision,
      ...(position === undefined ? {} : { position }),
      eventId: broken.eventId,
    },
    message: `stored hash ${broken.actual} does not match the event's content, recorded-at and predecessor (recomputed ${broken.expected}): the event, or one before it, was changed`,
  };
}

/** Where a broken event sits; found by reading the stream's events in $all (rare: failures only). */
async function positionOf(store: EventStore, stream: string, eventId: string): Promise<Position | undefined> {
  for await (const event of anchorableEventsOfStream(store, stream)) {
    if (event.id === eventId) return event.position;
  }
  return undefined;
}

async function* anchorableEventsOfStream(store: EventStore, stream: string): AsyncGenerator<RecordedEvent> {
  const filter = { streamNamePrefixes: [stream] };
  let cursor: Position = 0n;
  let lastSeen: Position | undefined;
  for (;;) {
    const page = await store.readAll({ fromPosition: cursor, maxCount: 1000, filter });
    for (const event of page) {
      if (lastSeen !== undefined && event.position <= lastSeen) continue;
      lastSeen = event.position;
      if (event.streamName === stream) yield event;
    }
    if (page.length < 1000 || lastSeen === undefined || lastSeen === cursor) return;
    cursor = lastSeen;
  }
}

function refOf(event: RecordedEvent): EventRef {
  return { stream: event.streamName, revision: event.revision, position: event.position, eventId: event.id };
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
