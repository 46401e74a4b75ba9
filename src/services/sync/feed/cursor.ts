import type pg from 'pg';
import type { SyncEntityType } from '../../../domain/sync/change-types.ts';
import { feedEntityTypesOf } from '../../../domain/sync/feed-records.ts';
import { SYNC_CHANGES, SYNC_FEED_PROJECTION } from '../../../projections/read-models/sync-feed.ts';
import { LOADED_READ_MODELS, LOADER_READ_MODELS } from './loaders.ts';

/** The projections whose checkpoints can bound what a pull or a snapshot may send. */
export const FEED_BOUND_PROJECTIONS: readonly string[] = [SYNC_FEED_PROJECTION, ...LOADED_READ_MODELS];

/** Per read model a loader reads, the entity types whose data it serves. */
const SERVED_TYPES: ReadonlyMap<string, readonly SyncEntityType[]> = new Map(
  LOADED_READ_MODELS.map((name) => [
    name,
    (Object.keys(LOADER_READ_MODELS) as (keyof typeof LOADER_READ_MODELS)[]).filter((type) =>
      LOADER_READ_MODELS[type].includes(name),
    ),
  ]),
);

/**
 * What must have applied a change before a pull shows it to its author (the settle after a push):
 * the feed projection and the read models serving the entity types these events map to. A
 * projection left out can only hold the feed back (feedHead), never make it send too early.
 */
export function projectionsFor(eventTypes: readonly string[]): string[] {
  const names = new Set<string>([SYNC_FEED_PROJECTION]);
  for (const eventType of eventTypes) {
    for (const entityType of feedEntityTypesOf(eventType)) {
      if (entityType === 'scope') continue;
      for (const name of LOADER_READ_MODELS[entityType]) names.add(name);
    }
  }
  return [...names];
}

/**
 * How far the feed may be served: the feed projection's checkpoint, held back by a read model only
 * where a record it must load lies beyond what it has applied, i.e. the lowest of the feed's
 * checkpoint and, per loaded read model, (the first `sync_changes` position past its checkpoint of
 * an entity type it serves) − 1.
 *
 * A checkpoint moves in the transaction that wrote its rows, so every record at or below the
 * feed's checkpoint is in `sync_changes` (the feed is gap-free: a cursor at most this far never
 * skips a record committed later at a lower position), and the data each points at is loadable. A
 * read model untouched by recent events (whose stored checkpoint moves only now and then) holds
 * nothing back, so a pull right after a change sees it. A projection not running yet (no state
 * row) counts as at -1: it holds back every record of the types it serves rather than send
 * something unreadable. Two queries, the second one index probe per read model and entity type
 * (the `(entity_type, position)` index).
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
  const probes = LOADED_READ_MODELS.flatMap((name) =>
    (SERVED_TYPES.get(name) ?? []).map((type) => ({ type, after: checkpointOf(name) })),
  ).filter((probe) => probe.after < feed);
  if (probes.length === 0) return feed;
  const { rows: next } = await pool.query<{ first: string | null }>(
    `select min(n.position)::text as first
       from unnest($1::text[], $2::bigint[]) as p(entity_type, after)
       cross join lateral (
         select position from ${SYNC_CHANGES}
          where entity_type = p.entity_type and position > p.after and position <= $3
          order by position limit 1) n`,
    [probes.map((probe) => probe.type), probes.map((probe) => probe.after.toString()), feed.toString()],
  );
  const first = next[0]?.first;
  return first === null || first === undefined ? feed : BigInt(first) - 1n;
}
