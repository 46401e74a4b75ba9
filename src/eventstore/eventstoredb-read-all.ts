import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  type EventStoreDBClient,
  FORWARDS,
  type ReadPosition,
  START,
} from '@eventstore/db-client';
import { type EsdbRecord, matchesFilter, toEsdbPosition, toRecordedEvent } from './eventstoredb-mapping.ts';
import type { EventFilter, Position, RecordedEvent } from './port.ts';

/**
 * readAll for the EventStoreDB adapter. The client's readAll takes no server-side filter, so $all
 * is read in pages and filtered here (system events always, plus the caller's prefixes) until
 * `limit` events matched or $all ends.
 *
 * EventStoreDB reads $all forwards inclusive of the start position and backwards exclusive of it
 * (AllReader: a backwards read starts at a record's end, and an event's position is where the
 * record before it ends). The port is inclusive both ways, so a backwards read first fetches the
 * event at the position itself with a forwards read of one.
 */
export class AllReader {
  readonly #out: RecordedEvent[] = [];

  constructor(
    private readonly client: EventStoreDBClient,
    /** At least 2: forwards pages overlap by one event, so a page of one would never advance. */
    private readonly pageSize: number,
    private readonly limit: number,
    private readonly filter: EventFilter | undefined,
  ) {}

  async forwards(from: Position | 'start' | 'end'): Promise<RecordedEvent[]> {
    let cursor: ReadPosition = from === 0n ? START : typeof from === 'bigint' ? toEsdbPosition(from) : from;
    let lastSeen: Position | undefined;
    while (!this.#full()) {
      const page = await this.#page(cursor, FORWARDS, this.pageSize);
      for (const record of page) {
        const position = record.position?.commit;
        // Each page after the first starts (inclusively) at the previous page's last event.
        if (position === undefined || (lastSeen !== undefined && position <= lastSeen)) continue;
        lastSeen = position;
        if (this.#keep(record) && this.#full()) break;
      }
      if (page.length < this.pageSize || lastSeen === undefined) break;
      cursor = toEsdbPosition(lastSeen);
    }
    return this.#out;
  }

  async backwards(from: Position | 'start' | 'end'): Promise<RecordedEvent[]> {
    let cursor: ReadPosition = typeof from === 'bigint' ? toEsdbPosition(from) : from;
    if (typeof from === 'bigint') {
      const [atFrom] = await this.#page(cursor, FORWARDS, 1);
      if (atFrom?.position?.commit === from) this.#keep(atFrom);
    }
    while (!this.#full()) {
      const page = await this.#page(cursor, BACKWARDS, this.pageSize);
      let lastSeen: Position | undefined;
      for (const record of page) {
        lastSeen = record.position?.commit ?? lastSeen;
        if (this.#keep(record) && this.#full()) break;
      }
      if (page.length < this.pageSize || lastSeen === undefined) break;
      cursor = toEsdbPosition(lastSeen);
    }
    return this.#out;
  }

  #full(): boolean {
    return this.#out.length >= this.limit;
  }

  /** Keeps the record if it passes the filter; says whether it did. */
  #keep(record: EsdbRecord): boolean {
    if (!matchesFilter({ streamName: record.streamId, type: record.type }, this.filter)) return false;
    this.#out.push(toRecordedEvent(record));
    return true;
  }

  async #page(
    fromPosition: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<EsdbRecord[]> {
    const page: AllStreamResolvedEvent[] = [];
    for await (const resolved of this.client.readAll({ fromPosition, direction, maxCount }))
      page.push(resolved);
    return page.flatMap((resolved) => (resolved.event ? [resolved.event] : []));
  }
}
