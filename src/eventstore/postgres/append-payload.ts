import { createHash } from 'node:crypto';
import type { EventToAppend, RecordedStamp } from '../port.ts';
import { type Limits, validateEvents } from '../validation.ts';

/**
 * Validates an append and builds its events' JSON for es_append_batch (objects joined by commas).
 * Data and metadata are spliced in as the strings validation already produced, so each event is
 * serialised once.
 */
export function appendItems(
  events: readonly EventToAppend[],
  limits: Limits,
  recorded?: readonly RecordedStamp[],
): string {
  const encoded = validateEvents(events, limits);
  if (recorded !== undefined && recorded.length !== events.length) {
    throw new RangeError(`recorded names ${recorded.length} events, the append has ${events.length}`);
  }
  const items = events.map((event, i) => {
    // canonicalJson({ type, data, metadata }) of hash-chain.ts, from the canonical parts already made.
    const canonical = `{"data":${encoded[i]?.data},"metadata":${encoded[i]?.metadata},"type":${JSON.stringify(event.type)}}`;
    const digest = createHash('sha256').update(canonical).digest('hex');
    const stamp = recorded?.[i];
    const head = JSON.stringify({
      id: event.id,
      type: event.type,
      digest,
      // A replayed event keeps its recorded-at and link rule (es_append_batch reads both).
      ...(stamp ? { recordedAt: stamp.createdAt.toISOString(), linkVersion: stamp.linkVersion ?? 1 } : {}),
    });
    return `${head.slice(0, -1)},"data":${encoded[i]?.data},"metadata":${encoded[i]?.metadata}}`;
  });
  return items.join(',');
}

/** es_append's JSON argument: the events as one array. */
export function appendPayload(events: readonly EventToAppend[], limits: Limits): string {
  return `[${appendItems(events, limits)}]`;
}
