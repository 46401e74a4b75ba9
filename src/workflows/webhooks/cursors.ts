import type pg from 'pg';

/**
 * Delivery's cursor per webhook (table `event_webhook_cursors`): the last position handled and how
 * many replays were applied. Moved only forward within one replay generation, so a batch begun
 * before a replay never undoes it.
 */
export interface WebhookCursor {
  position: bigint;
  replays: number;
}

/**
 * The cursor, made at `startAfter` the first time, and reset to the latest replay's position when
 * the webhook has more replay requests than the cursor applied (in one statement, so two readers
 * agree on the outcome).
 */
export async function cursorFor(
  pool: pg.Pool,
  webhookId: string,
  start: { startAfter: string; replays: number; replayAfter: string | null },
): Promise<WebhookCursor> {
  await pool.query(
    `insert into event_webhook_cursors (webhook_id, position, replays) values ($1, $2, 0)
       on conflict (webhook_id) do nothing`,
    [webhookId, start.startAfter],
  );
  if (start.replays > 0 && start.replayAfter !== null) {
    await pool.query(
      `update event_webhook_cursors set position = $2, replays = $3, updated_at = now()
        where webhook_id = $1 and replays < $3`,
      [webhookId, start.replayAfter, start.replays],
    );
  }
  const { rows } = await pool.query<{ position: string; replays: number }>(
    'select position::text, replays from event_webhook_cursors where webhook_id = $1',
    [webhookId],
  );
  const row = rows[0];
  if (!row) throw new Error(`The cursor of webhook ${webhookId} vanished`);
  return { position: BigInt(row.position), replays: row.replays };
}

/** Where a handled batch moves the cursor: through its last position, within its replay generation. */
export interface CursorMove {
  through: string;
  replays: number;
  /** Whether any of its events was delivered (sets `delivered_at`). */
  delivered: boolean;
}

/** Moves the cursor forward after a batch, unless a replay reset it meanwhile (so a repeat is harmless). */
export async function advanceCursor(pool: pg.Pool, webhookId: string, to: CursorMove): Promise<void> {
  await pool.query(
    `update event_webhook_cursors
        set position = $2, updated_at = now(), delivered_at = case when $4 then now() else delivered_at end
      where webhook_id = $1 and replays = $3 and position < $2`,
    [webhookId, to.through, to.replays, to.delivered],
  );
}
