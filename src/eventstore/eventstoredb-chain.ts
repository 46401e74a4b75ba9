/**
 * The hash chain as the EventStoreDB adapter keeps it. EventStoreDB cannot compute links on the
 * server, so the adapter computes them from the stream's last visible event before appending
 * (with that event's revision as the expected revision, so a concurrent writer cannot fork the
 * chain); verify-chain.ts checks them after reading, as for every adapter.
 */
import { chainLink, contentDigest } from './hash-chain.ts';
import type { EventToAppend, RecordedEvent } from './port.ts';

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
