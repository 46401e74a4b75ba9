import type { Projection } from '../projection.ts';

/**
 * Every stream in the store with its category, size and latest event: what an operator or an
 * auditor looks at first ("which aggregates exist, how busy are they, what happened last").
 */
export const streamCatalogue: Projection = {
  name: 'stream_catalogue',
  version: 1,
  eventTypes: ['*'],
  tables: {
    stream_catalogue: {
      columns: `stream_name text not null, category text not null, event_count bigint not null,
        last_revision bigint not null, last_event_type text not null, last_position bigint not null,
        first_event_at timestamptz not null, last_event_at timestamptz not null`,
      primaryKey: ['stream_name'],
      indexes: ['(category, last_event_at desc)'],
    },
  },
  prefetch: (events) =>
    [...new Set(events.map((e) => e.streamName))].map((stream_name) => ({
      table: 'stream_catalogue',
      key: { stream_name },
    })),
  async apply(event, writer) {
    const key = { stream_name: event.streamName };
    const current = await writer.get('stream_catalogue', key);
    const at = event.createdAt.toISOString();
    writer.upsert('stream_catalogue', {
      ...key,
      category: categoryOf(event.streamName),
      event_count: Number(current?.event_count ?? 0) + 1,
      last_revision: event.revision.toString(),
      last_event_type: event.type,
      last_position: event.position.toString(),
      first_event_at: current?.first_event_at ?? at,
      last_event_at: at,
    });
  },
};

/** EventStoreDB's convention: the category is the part before the first dash. */
export function categoryOf(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash < 0 ? streamName : streamName.slice(0, dash);
}
