import type pg from 'pg';
import type { EventCodec } from '../../../commands/event-codec.ts';
import {
  SYNC_CHANGES,
  SYNC_FEED_PROJECTION,
  syncFeedProjection,
} from '../../../projections/read-models/sync-feed.ts';
import { createProjections } from '../../../projections/registry.ts';
import { LOADED_READ_MODELS } from './loaders.ts';

/** The projections whose checkpoints can bound what a pull or a snapshot may send. */
export const FEED_BOUND_PROJECTIONS: readonly string[] = [SYNC_FEED_PROJECTION, ...LOADED_READ_MODELS];

/**
 * The projections are built here only to read which event types each handles (a static list);
 * none is applied, so their codec is never asked to decode.
 */
const unusedCodec: Pick<EventCodec, 'decode'> = {
  decode: () => {
    throw new Error('feed bound: the projections are read for their event types only');
  },
};

/**
 * Per read model a loader reads, the event types it handles that the feed writes records of: the
 * records it must have applied before they are sent.
 */
const HANDLED_FEED_EVENTS: ReadonlyMap<string, readonly string[]> = (() => {
  const fed = new Set(syncFeedProjection.eventTypes);
  const handled = new Map<string, readonly string[]>();
  for (const projection of createProjections({ codec: unusedCodec })) {
    if (!LOADED_READ_MODELS.includes(projection.name)) continue;
    handled.set(
      projection.name,
      projection.eventTypes.filter((type) => fed.has(type)),
    );
  }
  // A loader naming a read model the registry does not run would never be waited for: fail at start.
  for (const name of LOADED_READ_MODELS) {
    if (!handled.has(name)) throw new Error(`feed bound: loaders read ${name}, which no projection writes`);
  }
  return handled;
})();

/**
 * What must have applied a change before a pull shows it to its author (the settle after a push):
 * the feed projection and the loaded read models that handle one of these events (the only ones
 * whose checkpoint the feed's bound compares with these events' records). A projection left out
 * can only hold the feed back (feedHead), never make it send too early.
 */
export function projectionsFor(eventTypes: readonly string[]): string[] {
  const names = [SYNC_FEED_PROJECTION];
  for (const [name, handled] of HANDLED_FEED_EVENTS) {
    if (eventTypes.some((type) => handled.includes(type))) names.push(name);
  }
  return names;
}

/**
 * How far the feed may be served: the feed projection's checkpoint, held back by a read model R
 * only where a record made from an event R handles lies beyond what R has applied, i.e. the lowest
 * of the feed's checkpoint and, per loaded read model, (the first `sync_changes` position past its
 * checkpoint whose `event_type` it handles) − 1. A record made from an event R does not handle
 * reads only what R held before it, which R's earlier records (at lower positions) already bound:
 * a chat message's loader also reads moderation's `social_hidden`, but a message sent waits for
 * chat only, while a hiding (which the feed records) waits for moderation.
 *
 * A checkpoint moves in the transaction that wrote its rows, so every record at or below the
 * feed's checkpoint is in `sync_changes` (the feed is gap-free: a cursor at most this far never
 * skips a record committed later at a lower position), and the data each points at is loadable. A
 * read model untouched by recent events (whose stored checkpoint moves only now and then) holds
 * nothing back, so a pull right after a change sees it. A projection not running yet (no state
 * row) counts as at -1: it holds back every record of the events it handles rather than send
 * something unreadable. Two queries, the second one index probe per read model and event type
 * (the `(event_type, position)` index).
 */
export async function feedHead(pool: Pick<pg.Pool, 'query'>): Promise<bigint> {
  const { rows } = await pool.query<{ name: string; checkpoint: string }>(
    'select name, checkpoint::text as checkpoint from projection_state where name = any($1)',
    [FEED_BOUND_PROJECTIONS],
  );
  const checkpointOf = (name: string) => {
    const row = rows.find((r) => r.name === name);
    return row ? BigInt(row.checkpoint) : -1n;
  };
  const feed = checkpointOf(SYNC_FEED_PROJECTION);
  const probes = [...HANDLED_FEED_EVENTS]
    .filter(([name]) => checkpointOf(name) < feed)
    .flatMap(([name, handled]) => handled.map((type) => ({ type, after: checkpointOf(name) })));
  if (probes.length === 0) return feed;
  const { rows: next } = await pool.query<{ first: string | null }>(
    `select min(n.position)::text as first
       from unnest($1::text[], $2::bigint[]) as p(event_type, after)
       cross join lateral (
         select position from ${SYNC_CHANGES}
          where event_type = p.event_type and position > p.after and position <= $3
          order by position limit 1) n`,
    [probes.map((probe) => probe.type), probes.map((probe) => probe.after.toString()), feed.toString()],
  );
  const first = next[0]?.first;
  return first === null || first === undefined ? feed : BigInt(first) - 1n;
}
