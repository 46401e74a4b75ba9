import type { EventFilter, EventStore, Position, RecordedEvent } from '../eventstore/port.ts';

/**
 * An export bound as given on the command line: a global position (digits) or an ISO-8601 time.
 * Times are resolved to positions, so an export is always one contiguous position range: `from`
 * becomes the first event stored at or after that time, `to` the last one stored at or before it.
 */
export type RangeBound = { kind: 'position'; position: Position } | { kind: 'time'; at: Date };

export class ExportRangeError extends Error {
  readonly code = 'EXPORT_RANGE_INVALID';
}

export function parseRangeBound(value: string, name: string): RangeBound {
  if (/^\d+$/.test(value)) return { kind: 'position', position: BigInt(value) };
  const at = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(at.getTime())) return { kind: 'time', at };
  throw new ExportRangeError(
    `--${name} must be a global position (digits) or an ISO-8601 time, got "${value}"`,
  );
}

export interface ResolvedRange {
  fromPosition: Position;
  /** Inclusive. Below fromPosition when the range holds no events. */
  toPosition: Position;
}

const PAGE = 1000;

/**
 * Resolves both bounds against the store. Without `to`, the range ends at the store's head when the
 * export starts, so events written while it runs are not half in, half out.
 */
export async function resolveRange(
  store: EventStore,
  from: RangeBound | undefined,
  to: RangeBound | undefined,
): Promise<ResolvedRange> {
  const fromPosition = from === undefined ? 0n : await resolveFrom(store, from);
  const toPosition = to === undefined ? await head(store) : await resolveTo(store, to);
  return { fromPosition, toPosition };
}

async function head(store: EventStore): Promise<Position> {
  const [last] = await store.readAll({ direction: 'backwards', maxCount: 1 });
  return last?.position ?? -1n;
}

async function resolveFrom(store: EventStore, bound: RangeBound): Promise<Position> {
  if (bound.kind === 'position') return bound.position;
  for (let cursor: Position | 'start' = 'start'; ; ) {
    const page = await store.readAll({ fromPosition: cursor, maxCount: PAGE });
    const found = page.find((e) => e.createdAt.getTime() >= bound.at.getTime());
    if (found) return found.position;
    const last = page.at(-1);
    // Nothing at or after that time: an empty range above the head.
    if (!last || page.length < PAGE || last.position === cursor) return (last?.position ?? -1n) + 1n;
    cursor = last.position;
  }
}

async function resolveTo(store: EventStore, bound: RangeBound): Promise<Position> {
  if (bound.kind === 'position') return bound.position;
  for (let cursor: Position | 'end' = 'end'; ; ) {
    const page = await store.readAll({ direction: 'backwards', fromPosition: cursor, maxCount: PAGE });
    const found = page.find((e) => e.createdAt.getTime() <= bound.at.getTime());
    if (found) return found.position;
    const last = page.at(-1);
    if (!last || page.length < PAGE || last.position === cursor) return -1n;
    cursor = last.position;
  }
}

/**
 * Every event with from <= position <= to, page by page. A page restarts at the last position it
 * returned (inclusive) rather than one past it: EventStoreDB positions are log offsets, and only an
 * event's own position is a valid place to start reading.
 */
export async function* readRange(
  store: EventStore,
  from: Position,
  to: Position,
  options: { pageSize: number; filter?: EventFilter },
): AsyncGenerator<RecordedEvent> {
  let cursor = from;
  let lastSeen: Position | undefined;
  while (cursor <= to) {
    const page = await store.readAll({
      fromPosition: cursor,
      maxCount: options.pageSize,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    let fresh = 0;
    for (const event of page) {
      if (lastSeen !== undefined && event.position <= lastSeen) continue;
      if (event.position > to) return;
      lastSeen = event.position;
      fresh++;
      yield event;
    }
    if (page.length < options.pageSize || fresh === 0 || lastSeen === undefined) return;
    cursor = lastSeen;
  }
}
