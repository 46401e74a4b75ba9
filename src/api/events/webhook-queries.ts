import type pg from 'pg';
import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { type Page, pageOf } from '../pagination.ts';
import { sortKey } from '../shared/sql.ts';
import { storeFilterFor } from './integrator-events.ts';

export interface EventWebhookRow {
  webhook_id: string;
  owner_id: string;
  url: string;
  types: string[];
  stream_prefix: string | null;
  start_after: string;
  status: string;
  suspended_for: string | null;
  dead_letters: number;
  created_at: Date;
  updated_at: Date;
  cursor_position: string | null;
  delivered_at: Date | null;
  sort_key: string;
}

export interface DeadLetterRow {
  position: string;
  event_id: string;
  event_type: string;
  stream_name: string;
  attempts: number;
  failure: string;
  at: Date;
}

const WEBHOOK_COLUMNS = `w.webhook_id, w.owner_id, w.url, w.types, w.stream_prefix, w.start_after::text,
  w.status, w.suspended_for, w.dead_letters, w.created_at, w.updated_at,
  c.position::text as cursor_position, c.delivered_at, ${sortKey('w.created_at')}`;
const FROM = 'event_webhooks w left join event_webhook_cursors c on c.webhook_id = w.webhook_id';

/** One of the owner's webhooks; undefined for an unknown, deleted or someone else's id alike. */
export async function findEventWebhook(pool: pg.Pool, ownerId: string, webhookId: string) {
  const { rows } = await pool.query<EventWebhookRow>(
    `select ${WEBHOOK_COLUMNS} from ${FROM}
      where w.webhook_id = $1 and w.owner_id = $2 and w.status <> 'deleted'`,
    [webhookId, ownerId],
  );
  return rows[0];
}

/** The owner's webhooks, newest first. */
export async function listEventWebhooks(pool: pg.Pool, ownerId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const values: unknown[] = [ownerId, page.first + 1];
  const after = page.after ? `and (w.created_at, w.webhook_id) < ($3::timestamptz, $4::uuid)` : '';
  if (page.after) values.push(...validCursor(webhookCursor, page.after));
  const [{ rows }, total] = await Promise.all([
    pool.query<EventWebhookRow>(
      `select ${WEBHOOK_COLUMNS} from ${FROM}
        where w.owner_id = $1 and w.status <> 'deleted' ${after}
        order by w.created_at desc, w.webhook_id desc limit $2`,
      values,
    ),
    pool.query<{ count: string }>(
      `select count(*) from event_webhooks where owner_id = $1 and status <> 'deleted'`,
      [ownerId],
    ),
  ]);
  return { rows, page, total: Number(total.rows[0]?.count ?? 0) };
}

/** A webhook's dead letters in position order. */
export async function listDeadLetters(pool: pg.Pool, webhookId: string, rawPage: unknown) {
  const page: Page = pageOf(rawPage, 1);
  const values: unknown[] = [webhookId, page.first + 1];
  const after = page.after ? 'and position > $3::bigint' : '';
  if (page.after) values.push(...validCursor(deadLetterCursor, page.after));
  const { rows } = await pool.query<DeadLetterRow>(
    `select position::text, event_id, event_type, stream_name, attempts, failure, at
       from event_webhook_dead_letters where webhook_id = $1 ${after} order by position limit $2`,
    values,
  );
  return { rows, page };
}

const webhookCursor = z.tuple([z.iso.datetime(), z.uuid()]);

// A position is a bigint: at most 19 digits, so the cast never overflows.
const deadLetterCursor = z.tuple([z.string().regex(/^\d{1,18}$/)]);

/** `pageOf` checks a cursor's shape; its values must also fit the casts they go through. */
function validCursor<Values extends string[]>(schema: z.ZodType<Values>, after: string[]): Values {
  const parsed = schema.safeParse(after);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  return parsed.data;
}

/** Counting stops here: a lag is worth knowing roughly, not worth reading the log for. */
export const LAG_COUNT_LIMIT = 1_000;

/**
 * Matching events after the cursor, counted through the store port up to the limit: the embedded
 * store counts positions in SQL and reads no event body, so listing webhooks with their lag costs
 * one indexed count each. Counts what the filter lets through; events of types the store's prefix
 * match over-selects are few, and counted too.
 */
export async function lagOf(store: EventStore, row: EventWebhookRow) {
  const after = BigInt(row.cursor_position ?? row.start_after);
  const counted = await store.countAll({
    fromPosition: after + 1n,
    limit: LAG_COUNT_LIMIT,
    filter: storeFilterFor({
      types: row.types,
      ...(row.stream_prefix ? { streamPrefix: row.stream_prefix } : {}),
    }),
  });
  return { events: counted.count, capped: counted.capped, oldestOccurredAt: counted.firstOccurredAt };
}
