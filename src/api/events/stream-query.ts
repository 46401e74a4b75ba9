import { z } from 'zod';
import type { Position } from '../../eventstore/port.ts';
import type { IntegratorFilter } from './integrator-events.ts';
import { positionInput, publicEventTypeInput, streamPrefixInput } from './integrator-input.ts';

/** `types=A,B` or `types=A&types=B`. */
const types = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((part) => part.split(','))
      .map((type) => type.trim())
      .filter((type) => type.length > 0),
  )
  .pipe(z.array(publicEventTypeInput).min(1, 'Name at least one event type'));

/** Unknown parameters are ignored (cache busters, tracing); known ones are checked. */
const query = z.object({
  after: positionInput.optional(),
  streamPrefix: streamPrefixInput.optional(),
  types: types.optional(),
});

const lastEventId = z.object({ 'Last-Event-ID': positionInput });

export interface StreamRequest {
  /** Exclusive; undefined means from the beginning. */
  after?: Position;
  filter: IntegratorFilter;
}

/**
 * The request's query and `Last-Event-ID` header. The header wins over `after`: an EventSource
 * reconnects with the URL it was opened with, and the header says how far it really got.
 */
export function parseStreamRequest(
  rawQuery: unknown,
  lastEventIdHeader: string | string[] | undefined,
): StreamRequest {
  const parsed = query.parse(rawQuery);
  const resumed =
    lastEventIdHeader === undefined
      ? undefined
      : lastEventId.parse({ 'Last-Event-ID': lastEventIdHeader })['Last-Event-ID'];
  const after = resumed ?? parsed.after;
  return {
    ...(after === undefined ? {} : { after }),
    filter: {
      ...(parsed.streamPrefix ? { streamPrefix: parsed.streamPrefix } : {}),
      ...(parsed.types ? { types: parsed.types } : {}),
    },
  };
}
