import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SyncChange, SyncOutcome } from '../../../domain/sync/outcomes.ts';
import { canonicalJson } from '../../../eventstore/hash-chain.ts';
import type { ValueRef } from './entity-stream.ts';

/**
 * What a pushed change says, as a hash: its id, type, entity, base version, payload and the client
 * time AS SENT (before clamping, which depends on when it arrives: a retry of the same change later
 * must fingerprint the same). A change id seen again with another fingerprint is another change
 * under a reused id, and is refused.
 */
export function changeFingerprint(change: SyncChange): string {
  const { changeId, type, entityId, baseVersion, clientTime, payload } = change;
  return createHash('sha256')
    .update(canonicalJson({ changeId, type, entityId, baseVersion, clientTime, payload }))
    .digest('base64url');
}

/**
 * A change's outcome as its receipt keeps it: without the value (people's words: a bio, a post, a
 * message, which erasure must be able to reach), with where to read the value again instead.
 */
export type StoredOutcome = SyncOutcome & {
  valueRef?: ValueRef;
  /**
   * For an applied edit: the entity's version its batch's own moves started from (what this change
   * met, or what the batch's first move of the entity met). A retry of the batch rebases its later
   * changes on it, as the first try did; the change's `baseVersion` would let a change the first
   * try found in conflict skip its rule.
   */
  movedFrom?: number;
};

/** The outcome a receipt keeps: `value` left out, `valueRef` naming where it is read again. */
export function storedOutcome(
  outcome: SyncOutcome,
  valueRef: ValueRef | null,
  movedFrom: number | undefined,
): StoredOutcome {
  const stored: StoredOutcome = { ...outcome };
  delete stored.value;
  if (valueRef !== null) stored.valueRef = valueRef;
  if (movedFrom !== undefined) stored.movedFrom = movedFrom;
  return stored;
}

export interface SyncReceipt {
  fingerprint: string;
  outcome: StoredOutcome;
}

/** The receipt of a change this person pushed before (from any of their devices); null when none. */
export async function receiptOf(
  pool: pg.Pool,
  userId: string,
  changeId: string,
): Promise<SyncReceipt | null> {
  const { rows } = await pool.query<{ fingerprint: string; outcome: StoredOutcome }>(
    'select fingerprint, outcome from sync_receipts where user_id = $1 and change_id = $2',
    [userId, changeId],
  );
  return rows[0] ?? null;
}

/**
 * Records what became of a change, once it is settled. Written after the change's events: a crash
 * in between leaves no receipt, and the retry finds the change already applied on its entity
 * (the conflict rules' `alreadyApplied`, the use cases' idempotency keys) and reports the same.
 * A receipt already there (a concurrent retry got in first) is kept.
 */
export async function storeReceipt(
  pool: pg.Pool,
  receipt: {
    userId: string;
    deviceId: string;
    changeId: string;
    fingerprint: string;
    outcome: StoredOutcome;
  },
): Promise<void> {
  await pool.query(
    `insert into sync_receipts (user_id, change_id, device_id, fingerprint, outcome)
     values ($1, $2, $3, $4, $5::jsonb) on conflict (user_id, change_id) do nothing`,
    [
      receipt.userId,
      receipt.changeId,
      receipt.deviceId,
      receipt.fingerprint,
      JSON.stringify(receipt.outcome),
    ],
  );
}

/** How long a receipt is kept: a device retrying a change later than this gets it decided again. */
export const RECEIPT_RETENTION_DAYS = 30;

/**
 * Drops the person's receipts older than RECEIPT_RETENTION_DAYS, when they sync: the delete walks
 * only their rows (the primary key's prefix), so it stays cheap however many people sync. A change
 * retried after that long is decided again, and the use cases' idempotency keys and the rules'
 * alreadyApplied still keep it from applying twice.
 */
export async function pruneReceipts(pool: pg.Pool, userId: string): Promise<void> {
  await pool.query(
    `delete from sync_receipts where user_id = $1 and created_at < now() - make_interval(days => $2)`,
    [userId, RECEIPT_RETENTION_DAYS],
  );
}
