import type pg from 'pg';
import { INTEGRATOR_CATALOGUE } from '../../api/events/catalogues.ts';
import type { SuspensionReason } from '../../domain/webhooks/webhook-values.ts';

/**
 * Whether a webhook's owner may still receive what it sends, read before every batch, after a
 * long poll, and (through CachedAccessCheck) before each POST: an owner
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

/**
 * How stale the owner's access may be when a POST goes out: at most this long after an owner is
 * deactivated or demoted, their webhook sends nothing more (the SSE stream's AudienceGuard uses
 * the same bound). Those changes write no webhook event, so nothing interrupts a batch in flight;
 * the check before each POST is what stops it.
 */
export const WEBHOOK_ACCESS_RECHECK_MS = 15_000;

/** Whose access a webhook's deliveries depend on: its owner, and the types it sends. */
export interface WebhookOwner {
  ownerId: string;
  types: string[];
}

/**
 * `accessProblem` read at most once per `recheckMs` for each owner and set of types, shared by the
 * worker's lanes: a batch of 200 events across 16 lanes costs a query every few seconds, not one
 * per POST.
 */
export class CachedAccessCheck {
  private readonly checked = new Map<string, { at: number; problem: SuspensionReason | null }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly recheckMs = WEBHOOK_ACCESS_RECHECK_MS,
  ) {}

  async problem(owner: WebhookOwner): Promise<SuspensionReason | null> {
    const key = `${owner.ownerId}:${owner.types.join(',')}`;
    const now = Date.now();
    const known = this.checked.get(key);
    if (known && now - known.at < this.recheckMs) return known.problem;
    const problem = await accessProblem(this.pool, owner.ownerId, owner.types);
    // Entries past the bound are worth nothing: dropped as the map grows, so it holds only the
    // webhooks delivering lately.
    if (this.checked.size >= 1_000) {
      for (const [each, entry] of this.checked)
        if (now - entry.at >= this.recheckMs) this.checked.delete(each);
    }
    this.checked.set(key, { at: now, problem });
    return problem;
  }
}
