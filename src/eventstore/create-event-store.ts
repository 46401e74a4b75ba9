import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { EventStoreDbEventStore } from './eventstoredb.ts';
import type { EventStore } from './port.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';
import { DEFAULT_LIMITS } from './validation.ts';

/**
 * EventStoreDB when EVENTSTORE_CONNECTION_STRING is set (production), otherwise the embedded
 * PostgreSQL store in the same database as the read models.
 */
export function createEventStore(
  config: Pick<Config, 'EVENTSTORE_CONNECTION_STRING' | 'EVENTSTORE_MAX_EVENT_BYTES'>,
  databaseUrl: string,
  log: Logger,
): EventStore {
  const limits = { ...DEFAULT_LIMITS, maxEventBytes: config.EVENTSTORE_MAX_EVENT_BYTES };
  if (config.EVENTSTORE_CONNECTION_STRING) {
    log.info('event store: EventStoreDB');
    return new EventStoreDbEventStore(config.EVENTSTORE_CONNECTION_STRING, { limits });
  }
  log.info('event store: embedded PostgreSQL');
  return new PostgresEventStore({
    connectionString: databaseUrl,
    log: log.child({ component: 'eventstore' }),
    limits,
  });
}
