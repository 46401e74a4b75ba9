import pg from 'pg';
import { appendPayload } from '../../src/eventstore/postgres/append-payload.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { DEFAULT_LIMITS } from '../../src/eventstore/validation.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';
import { describeEventStoreConformance } from './conformance.ts';

describeEventStoreConformance('embedded PostgreSQL', async () => {
  const connectionString = await freshDatabase('es');
  const store = new PostgresEventStore({
    connectionString,
    log: createLogger('warn'),
    pollIntervalMs: 200,
  });
  const raw = new pg.Pool({ connectionString, max: 3 });
  return {
    store,
    async cleanup() {
      await store.close();
      await raw.end();
    },
    async tamperWithEventData(stream, revision, data) {
      await raw.query('update es_events set data = $3 where stream_name = $1 and revision = $2', [
        stream,
        revision.toString(),
        JSON.stringify(data),
      ]);
    },
    async startOpenAppend(stream, event) {
      const client = await raw.connect();
      await client.query('begin');
      await client.query('select * from es_append($1, $2, $3::jsonb)', [
        stream,
        'any',
        appendPayload([event], DEFAULT_LIMITS),
      ]);
      return {
        async commit() {
          await client.query('commit');
          client.release();
        },
      };
    },
  };
});
