import type pg from 'pg';
import { GENESIS_HASH, linkOf } from '../../src/eventstore/hash-chain.ts';

/**
 * What someone with database access does after editing or deleting a stream's events to hide it
 * from the stream's own hash chain: number the remaining events 0.. again, recompute every link
 * (by each event's rule) and point the stream's head at the new last one. Runs in the caller's
 * transaction.
 */
export async function relinkStream(client: pg.ClientBase, stream: string): Promise<void> {
  const { rows } = await client.query<{
    position: string;
    type: string;
    data: unknown;
    metadata: Record<string, unknown>;
    created_ms: number;
    link_version: number;
  }>(
    `select position::text, type, data, metadata, (extract(epoch from created_at) * 1000)::float8 as created_ms,
            link_version
       from es_events where stream_name = $1 order by revision`,
    [stream],
  );
  let previous = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    previous = linkOf(previous, {
      ...row,
      createdAt: new Date(row.created_ms),
      linkVersion: row.link_version === 2 ? 2 : undefined,
    });
    await client.query('update es_events set revision = $2, hash = $3 where position = $1', [
      row.position,
      index.toString(),
      Buffer.from(previous, 'hex'),
    ]);
  }
  await client.query('update es_streams set revision = $2, last_hash = $3 where stream_name = $1', [
    stream,
    (rows.length - 1).toString(),
    Buffer.from(previous, 'hex'),
  ]);
}
