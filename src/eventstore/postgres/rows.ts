import type { RecordedEvent } from '../port.ts';

/** A row of es_events as selected with EVENT_COLUMNS (bigint as string, jsonb parsed). */
export interface EventRow {
  position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  hash: string;
  created_at_ms: number;
  link_version: number;
}

// Hash as hex text and time as epoch milliseconds: parsing bytea into a Buffer and timestamptz
// text into a Date in JavaScript costs more per row than the rest of the row together.
export const EVENT_COLUMNS = `position, stream_name, revision, event_id, type, data, metadata,
  encode(hash, 'hex') as hash, (extract(epoch from created_at) * 1000)::float8 as created_at_ms, link_version`;

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    hash: row.hash,
    createdAt: new Date(row.created_at_ms),
    ...(row.link_version === 2 ? { linkVersion: 2 as const } : {}),
  };
}

/** The stored recorded-at in microseconds (a float of milliseconds holds them exactly until 2255). */
export function recordedAtMicros(row: Pick<EventRow, 'created_at_ms'>): bigint {
  return BigInt(Math.round(row.created_at_ms * 1000));
}
