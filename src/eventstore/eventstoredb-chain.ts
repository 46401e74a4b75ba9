/**
 * The hash chain as the EventStoreDB adapter keeps it. EventStoreDB cannot compute links on the
 * server, so the adapter computes them from the stream's last visible event before appending
 * (with that event's revision as the expected revision, so a concurrent writer cannot fork the
 * chain) and checks them here after reading.
 */
import { chainLink, contentDigest, GENESIS_HASH } from './hash-chain.ts';
import type { ChainVerification, EventToAppend, RecordedEvent } from './port.ts';

/** The link of `event` appended after an event whose link is `previousHash`. */
export function nextLink(previousHash: string, event: EventToAppend): string {
  return chainLink(
    previousHash,
    contentDigest({ type: event.type, data: event.data, metadata: event.metadata ?? {} }),
  );
}

/** The links of a batch appended after an event whose link is `previousHash`. */
export function linkBatch(previousHash: string, events: readonly EventToAppend[]): string[] {
  let previous = previousHash;
  return events.map((event) => {
    previous = nextLink(previous, event);
    return previous;
  });
}

/**
 * Recomputes the links of a stream read forwards from its first visible event.
 *
 * When the first visible event is not revision 0 its predecessor cannot be read: it was truncated
 * (maxCount, maxAge, truncateBefore) or the stream was soft-deleted and recreated, in which case
 * the adapter restarted the chain at the genesis hash because the old tip was no longer readable.
 * That event's stored link is then the anchor: accepted as given, and every later link is checked
 * against it. Tampering with the anchor itself is therefore only detectable while revision 0 is
 * still readable.
 */
export function verifyChain(stream: string, events: readonly RecordedEvent[]): ChainVerification {
  let previous = GENESIS_HASH;
  let checked = 0;
  for (const [index, event] of events.entries()) {
    checked += 1;
    if (index === 0 && event.revision > 0n) {
      previous = event.hash;
      continue;
    }
    const expected = chainLink(
      previous,
      contentDigest({ type: event.type, data: event.data, metadata: event.metadata }),
    );
    if (expected !== event.hash) {
      return {
        stream,
        ok: false,
        checked,
        firstBroken: { revision: event.revision, eventId: event.id, expected, actual: event.hash },
      };
    }
    previous = event.hash;
  }
  return { stream, ok: true, checked };
}

/**
 * Whether a batch is a repeat of the stream's last events (`tail`: up to batch-size events, in
 * revision order). 'all': every id is there, in order, at the end of the stream, so the append
 * already happened. 'partial': some ids were written but not as this batch, which EventStoreDB
 * also refuses. 'none': a new batch.
 *
 * This is narrower than EventStoreDB's own rule for `any`, which consults a server-side cache of
 * recently written ids wherever they are in the stream; the adapter only sees the tail.
 */
export function matchReplay(
  tail: readonly Pick<RecordedEvent, 'id'>[],
  events: readonly Pick<EventToAppend, 'id'>[],
): 'all' | 'partial' | 'none' {
  const ids = events.map((event) => event.id.toLowerCase());
  const tailIds = tail.map((event) => event.id.toLowerCase());
  if (tailIds.length === ids.length && ids.every((id, index) => tailIds[index] === id)) return 'all';
  const written = new Set(tailIds);
  return ids.some((id) => written.has(id)) ? 'partial' : 'none';
}
