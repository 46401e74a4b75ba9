import { contentDigest } from '../hash-chain.ts';
import type { EventToAppend } from '../port.ts';
import { type Limits, validateEvents } from '../validation.ts';

/**
 * Validates an append and builds es_append's JSON argument. Data and metadata are spliced in as
 * the strings validation already produced, so each event is serialised once.
 */
export function appendPayload(events: readonly EventToAppend[], limits: Limits): string {
  const encoded = validateEvents(events, limits);
  const items = events.map((event, i) => {
    const digest = contentDigest({ type: event.type, data: event.data, metadata: event.metadata ?? {} });
    const head = JSON.stringify({ id: event.id, type: event.type, digest });
    return `${head.slice(0, -1)},"data":${encoded[i]?.data},"metadata":${encoded[i]?.metadata}}`;
  });
  return `[${items.join(',')}]`;
}
