import type pg from 'pg';
import type { ChangeBus } from '../../projections/change-bus.ts';

/** A bus that never calls: waiting for a read model then relies on re-reading its checkpoint. */
export const SILENT_BUS: ChangeBus = {
  publish: async () => {},
  noteLocalChange: () => {},
  subscribe: () => () => {},
  close: async () => {},
};

/**
 * The `notification_deliveries` rows of one source event are found through the inbox rows it
 * created (`notification_inbox.source_event_id`, indexed): the deliveries table keeps no event id.
 * A notification whose inbox row is gone (its recipient was forgotten) is thereby never sent.
 */
const OF_EVENT = `from notification_deliveries d
   join notification_inbox i on i.notification_id = d.notification_id and i.recipient_id = d.recipient_id
  where i.source_event_id = $1`;

export type DeliveryChannel = 'push' | 'email';

export interface DeliveryKey {
  notificationId: string;
  channel: DeliveryChannel;
  target: string;
}

/** The earliest due time of the event's rows still pending (ISO), or null when none is. */
export async function nextDueAt(pool: pg.Pool, sourceEventId: string): Promise<string | null> {
  const { rows } = await pool.query<{ due: Date | null }>(
    `select min(d.due_at) as due ${OF_EVENT} and d.state = 'pending'`,
    [sourceEventId],
  );
  return rows[0]?.due?.toISOString() ?? null;
}

/**
 * Rows an earlier attempt claimed and never settled: its worker died between the claim and the
 * settle, so the push or e-mail may or may not have left. They become 'unknown' and are not sent
 * again — at most once is the promise, and a duplicate "someone liked your video" is worse than a
 * missing one. Only one delivery activity of an event runs at a time (the workflow awaits each),
 * so every 'sending' row found when one starts belongs to an attempt that is over.
 */
export async function settleAbandoned(pool: pg.Pool, sourceEventId: string): Promise<number> {
  const result = await pool.query(
    `update notification_deliveries d
        set state = 'unknown', reason = 'the worker stopped while sending: it may or may not have gone out',
            updated_at = now()
       from notification_inbox i
      where i.notification_id = d.notification_id and i.recipient_id = d.recipient_id
        and i.source_event_id = $1 and d.state = 'sending'`,
    [sourceEventId],
  );
  return result.rowCount ?? 0;
}

/** Pending rows of the event due by `now`, the earliest first. */
export async function dueDeliveries(
  pool: pg.Pool,
  sourceEventId: string,
  now: Date,
  limit: number,
): Promise<DeliveryKey[]> {
  const { rows } = await pool.query<{ notification_id: string; channel: DeliveryChannel; target: string }>(
    `select d.notification_id, d.channel, d.target ${OF_EVENT}
        and d.state = 'pending' and d.due_at <= $2
      order by d.due_at, d.notification_id, d.channel, d.target
      limit $3`,
    [sourceEventId, now.toISOString(), limit],
  );
  return rows.map((row) => ({
    notificationId: row.notification_id,
    channel: row.channel,
    target: row.target,
  }));
}

/**
 * Claims one row right before its send: only a row still 'pending' is claimed, so two attempts
 * can never both send it. Returns the attempt this send is (1 for the first), or null when the row
 * was not pending any more.
 */
export async function claimDelivery(pool: pg.Pool, key: DeliveryKey): Promise<number | null> {
  const { rows } = await pool.query<{ attempts: number }>(
    `update notification_deliveries
        set state = 'sending', attempts = attempts + 1, updated_at = now()
      where notification_id = $1 and channel = $2 and target = $3 and state = 'pending'
      returning attempts`,
    [key.notificationId, key.channel, key.target],
  );
  return rows[0]?.attempts ?? null;
}

export type Settlement =
  | { state: 'sent' }
  | { state: 'pending'; reason: string; dueAt: Date }
  | { state: 'failed' | 'dropped' | 'skipped' | 'unknown'; reason: string };

/**
 * Settles a claimed row. A row a later attempt already marked 'unknown' (this attempt outlived its
 * timeout) takes the true outcome after all: what happened beats "we cannot tell".
 */
export async function settleDelivery(pool: pg.Pool, key: DeliveryKey, settlement: Settlement): Promise<void> {
  await pool.query(
    `update notification_deliveries
        set state = $4, reason = $5, due_at = coalesce($6, due_at),
            sent_at = case when $4 = 'sent' then now() else sent_at end, updated_at = now()
      where notification_id = $1 and channel = $2 and target = $3 and state in ('sending', 'unknown')`,
    [
      key.notificationId,
      key.channel,
      key.target,
      settlement.state,
      settlement.state === 'sent' ? null : settlement.reason,
      settlement.state === 'pending' ? settlement.dueAt.toISOString() : null,
    ],
  );
}

/** Settles a row that was never claimed (nothing to send any more), if it is still pending. */
export async function settleUnsent(
  pool: pg.Pool,
  key: DeliveryKey,
  state: 'dropped' | 'skipped',
  reason: string,
): Promise<boolean> {
  const result = await pool.query(
    `update notification_deliveries set state = $4, reason = $5, updated_at = now()
      where notification_id = $1 and channel = $2 and target = $3 and state = 'pending'`,
    [key.notificationId, key.channel, key.target, state, reason],
  );
  return (result.rowCount ?? 0) > 0;
}
