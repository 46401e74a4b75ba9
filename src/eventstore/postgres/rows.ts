import type { RecordedEvent } from '../port.ts';

/** A row of es_events as node-postgres returns it (bigint as string, bytea as Buffer, jsonb parsed). */
export interface EventRow {
  position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  hash: Buffer;
  created_at: Date;
}

export const EVENT_COLUMNS =
  'position, stream_name, revision, event_id, type, data, metadata, hash, created_at';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    hash: row.hash.toString('hex'),
    createdAt: row.created_at,
  };
}
