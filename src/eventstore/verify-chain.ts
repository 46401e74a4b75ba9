import { chainLink, contentDigest, GENESIS_HASH } from './hash-chain.ts';
import type { ChainVerification, RecordedEvent } from './port.ts';

/**
 * Recomputes each event's link from its stored content and its predecessor's *stored* link, so a
 * single edited event is reported as exactly that event, not as everything after it.
 * A stream whose first readable event is not revision 0 (truncated by metadata) is checked from
 * there: its first link is taken as given.
 */
export function verifyChain(stream: string, events: readonly RecordedEvent[]): ChainVerification {
  let previous: string | undefined = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (index === 0 && event.revision !== 0n) previous = undefined;
    const digest = contentDigest(event);
    if (previous !== undefined) {
      const expected = chainLink(previous, digest);
      if (expected !== event.hash) {
        return {
          stream,
          ok: false,
          checked: index + 1,
          firstBroken: { revision: event.revision, eventId: event.id, expected, actual: event.hash },
        };
      }
    }
    previous = event.hash;
  }
  return { stream, ok: true, checked: events.length };
}
