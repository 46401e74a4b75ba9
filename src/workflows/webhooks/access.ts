import type pg from 'pg';
import { INTEGRATOR_CATALOGUE } from '../../api/events/catalogues.ts';
import type { SuspensionReason } from '../../domain/webhooks/webhook-values.ts';

/**
 * Whether a webhook's owner may still receive what it sends, read before every batch: an owner
 * deactivated, or no longer an admin while the webhook sends admin-only types, stops deliveries
 * (null: allowed). The users read model is the same source the stream's audience check reads.
 */
export async function accessProblem(
  pool: pg.Pool,
  ownerId: string,
  types: readonly string[],
): Promise<SuspensionReason | null> {
  const { rows } = await pool.query<{ role: string; status: string }>(
    'select role, status from users where user_id = $1',
    [ownerId],
  );
  const owner = rows[0];
  if (owner?.status !== 'active') return 'OWNER_INACTIVE';
  const adminOnly = types.some((type) => INTEGRATOR_CATALOGUE.get(type)?.audience === 'admins');
  return adminOnly && owner.role !== 'admin' ? 'ADMIN_ONLY' : null;
}
