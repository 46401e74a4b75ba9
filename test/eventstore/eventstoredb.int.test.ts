import { describe, it } from 'vitest';
import { EventStoreDbEventStore } from '../../src/eventstore/eventstoredb.ts';
import { describeEventStoreConformance } from './conformance.ts';

// No EventStoreDB runs in the default test environment; `docker compose up eventstore` and
// EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false run this suite against one.
// The server needs MaxAppendSize above its 1 MiB default (eventstore/eventstore.conf sets 16 MiB):
// an event just under the app's 1 MiB limit plus its metadata is larger than that.
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  // Every conformance test uses fresh stream names, so one shared server needs no reset between
  // tests. No tamperWithEventData (EventStoreDB cannot edit a stored event) and no
  // startOpenAppend (appends cannot be held open): the suite skips those two tests.
  describeEventStoreConformance('EventStoreDB', async () => {
    const store = new EventStoreDbEventStore(connectionString);
    return { store, cleanup: () => store.close() };
  });
} else {
  describe.skip('EventStoreDB conformance: skipped, EVENTSTORE_CONNECTION_STRING is not set', () => {
    it('runs the shared event store conformance suite against EventStoreDB', () => {});
  });
}
