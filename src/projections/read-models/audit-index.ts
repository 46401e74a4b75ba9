import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * One row per stored event with the who, why and when of its metadata, for the audit queries:
 * `trace` (everything one request caused, across streams), `actorActivity` (everything one actor
 * did in a period) and `history`. Data is not copied here: the queries read it from the store and
 * decode it as of now, so erasure applies to audit answers like everywhere else.
 */
export const auditIndexProjection: Projection = {
  name: 'audit_index',
  version: 1,
  eventTypes: ['*'],
  tables: {
    audit_index: {
      columns: `position bigint not null, stream_name text not null, revision bigint not null,
        event_id uuid not null, type text not null, actor text, command_id text, correlation_id text,
        causation_id text, occurred_at timestamptz not null, schema_version int not null`,
      primaryKey: ['position'],
      indexes: ['(correlation_id, position)', '(actor, occurred_at, position)', '(stream_name, revision)'],
    },
  },
  apply(event, writer) {
    writer.upsert('audit_index', {
      position: event.position.toString(),
      stream_name: event.streamName,
      revision: event.revision.toString(),
      event_id: event.id,
      type: event.type,
      actor: text(event, 'actor'),
      command_id: text(event, 'commandId'),
      correlation_id: text(event, 'correlationId'),
      causation_id: text(event, 'causationId'),
      occurred_at: occurredAt(event),
      schema_version: schemaVersion(event),
    });
  },
};

function text(event: RecordedEvent, field: string): string | null {
  const value = event.metadata[field];
  return typeof value === 'string' ? value.slice(0, 500) : null;
}

function schemaVersion(event: RecordedEvent): number {
  const value = event.metadata.schemaVersion;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 1;
}
