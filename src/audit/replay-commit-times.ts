import type pg from 'pg';

export interface CommitTime {
  stream: string;
  revision: bigint;
  createdAt: string;
}

/**
 * Gives replayed events the commit time they had in the source. The port cannot (the store stamps
 * its own time, as EventStoreDB does), but with the embedded PostgreSQL store the column is ours:
 * `created_at` is not part of the hash chain, and restoring it makes read models that show when
 * something was stored (users.updated_at, stream_catalogue's first/last event times) identical
 * to the source's instead of showing the time of the replay.
 */
export interface CommitTimeRestorer {
  restore(times: readonly CommitTime[]): Promise<void>;
}

export function postgresCommitTimes(pool: pg.Pool): CommitTimeRestorer {
  return {
    async restore(times) {
      if (times.length === 0) return;
      await pool.query(
        `update es_events e set created_at = x.created_at
           from unnest($1::text[], $2::bigint[], $3::timestamptz[]) as x(stream_name, revision, created_at)
          where e.stream_name = x.stream_name and e.revision = x.revision`,
        [times.map((t) => t.stream), times.map((t) => t.revision.toString()), times.map((t) => t.createdAt)],
      );
    },
  };
}
