import type pg from 'pg';
import type { EventStore } from '../eventstore/port.ts';
import type { Projection } from './projection.ts';
import { readAllStates } from './state.ts';

export type ProjectionHealth = 'live' | 'catching-up' | 'rebuilding' | 'failed';

export interface ProjectionStatus {
  name: string;
  /** Version in the running code, and the version whose tables are live. */
  codeVersion: number | undefined;
  liveVersion: number;
  generation: number;
  checkpoint: bigint;
  head: bigint;
  /**
   * Events after the checkpoint that the projection handles, counted up to LAG_COUNT_LIMIT
   * (`lagCapped` says it stopped there). Events it does not handle are not lag: its checkpoint
   * passes over them lazily.
   */
  lagEvents: number;
  lagCapped: boolean;
  /** Age of the oldest handled event not yet applied; 0 when caught up. */
  lagSeconds: number;
  state: ProjectionHealth;
  error: string | null;
  errorPosition: bigint | null;
  rebuild?: { generation: number; checkpoint: bigint; eventsDone: number; startedAt: Date };
}

export const LAG_COUNT_LIMIT = 10_000;
/** A projection this many events behind is "catching-up" rather than "live". */
const CATCHING_UP_AFTER = 1000;

export async function projectionStatuses(
  pool: pg.Pool,
  store: EventStore,
  projections: readonly Projection[],
  now: Date = new Date(),
): Promise<ProjectionStatus[]> {
  const [states, rebuilds, headEvent] = await Promise.all([
    readAllStates(pool),
    pool.query<{
      name: string;
      generation: number;
      checkpoint: string;
      events_done: string;
      started_at: Date;
    }>('select name, generation, checkpoint, events_done, started_at from projection_rebuilds'),
    store.readAll({ direction: 'backwards', maxCount: 1 }),
  ]);
  const head = headEvent[0]?.position ?? -1n;
  return Promise.all(
    states.map(async (state) => {
      const projection = projections.find((p) => p.name === state.name);
      const types = projection && !projection.eventTypes.includes('*') ? projection.eventTypes : undefined;
      // The type filter matches prefixes: keep the exact names only.
      const behind = (
        await store.readAll({
          fromPosition: state.checkpoint < 0n ? 'start' : state.checkpoint + 1n,
          maxCount: LAG_COUNT_LIMIT + 1,
          ...(types ? { filter: { eventTypePrefixes: [...types] } } : {}),
        })
      ).filter((e) => !types || types.includes(e.type));
      const oldest = behind[0];
      const rebuild = rebuilds.rows.find((r) => r.name === state.name);
      const codeVersion = projection?.version;
      const lagEvents = Math.min(behind.length, LAG_COUNT_LIMIT);
      const health: ProjectionHealth =
        state.status === 'failed'
          ? 'failed'
          : state.status === 'rebuilding' || rebuild
            ? 'rebuilding'
            : lagEvents >= CATCHING_UP_AFTER
              ? 'catching-up'
              : 'live';
      return {
        name: state.name,
        codeVersion,
        liveVersion: state.codeVersion,
        generation: state.generation,
        checkpoint: state.checkpoint,
        head,
        lagEvents,
        lagCapped: behind.length > LAG_COUNT_LIMIT,
        lagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0,
        state: health,
        error: state.error,
        errorPosition: state.errorPosition,
        ...(rebuild
          ? {
              rebuild: {
                generation: rebuild.generation,
                checkpoint: BigInt(rebuild.checkpoint),
                eventsDone: Number(rebuild.events_done),
                startedAt: rebuild.started_at,
              },
            }
          : {}),
      };
    }),
  );
}
