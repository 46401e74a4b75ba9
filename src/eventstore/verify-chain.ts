import { GENESIS_HASH, linkOf } from './hash-chain.ts';
import type { ChainVerification, RecordedEvent } from './port.ts';

/**
 * Recomputes each event's link from its stored content and its predecessor's *stored* link, so a
 * single edited event is reported as exactly that event, not as everything after it.
 * A stream whose first readable event is not revision 0 (truncated by metadata) is checked from
 * there: its first link is taken as given. `micros` gives an event's stored recorded-at in
 * microseconds where the reader has them (a sub-millisecond edit would not show in a Date).
 */
export function verifyChain(
  stream: string,
  events: readonly RecordedEvent[],
  micros?: (index: number) => bigint,
): ChainVerification {
  let previous: string | undefined = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (index === 0 && event.revision !== 0n) previous = undefined;
    if (previous !== undefined) {
      const expected = linkOf(previous, event, micros?.(index));
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
