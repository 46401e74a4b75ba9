import type pg from 'pg';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { INTEGRATOR_CATALOGUE, publicTypesFor } from './catalogues.ts';
import type { IntegratorFilter } from './integrator-events.ts';
import type { EventAudience } from './published-events.ts';

/** How long a key owner's role is trusted before it is read again (the SSE heartbeat's period). */
export const AUDIENCE_RECHECK_MS = 15_000;

/**
 * The audience a stream reader belongs to. An admin's access token carries the role as it is now;
 * an API key acts for its owner, whose role is read from the users read model (an owner the read
 * model does not know yet gets the smaller audience).
 */
export async function audienceOf(pool: pg.Pool, actor: Actor): Promise<EventAudience> {
  switch (actor.kind) {
    case 'user':
      return actor.role === 'admin' ? 'admins' : 'readers';
    case 'integration': {
      const { rows } = await pool.query<{ role: string }>(
        `select role from users where user_id = $1 and status = 'active'`,
        [actor.ownerId],
      );
      return rows[0]?.role === 'admin' ? 'admins' : 'readers';
    }
    case 'system':
    case 'anonymous':
      return 'readers';
  }
}

/**
 * The filter a stream runs with: the requested types, or every type of the caller's audience.
 * Asking by name for a type outside it is FORBIDDEN/ADMIN_ONLY (not silence, which would look
 * like a quiet stream).
 */
export function filterForAudience(filter: IntegratorFilter, audience: EventAudience): IntegratorFilter {
  const visible = publicTypesFor(audience);
  const refused = (filter.types ?? []).filter((type) => !visible.includes(type));
  if (refused.length > 0) throw adminOnly(refused);
  return { ...filter, types: filter.types ? [...filter.types] : [...visible] };
}

/**
 * Checks, before an admin-only event is handed over, that the caller still is an admin (a key's
 * owner may have been demoted since the stream opened). The owner's role is read at most once per
 * `recheckMs`, so a long catch-up costs a query every few seconds, not one per event.
 */
export class AudienceGuard {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private admin = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly actor: () => Actor,
    private readonly recheckMs = AUDIENCE_RECHECK_MS,
  ) {}

  async allow(type: string): Promise<void> {
    if (INTEGRATOR_CATALOGUE.get(type)?.audience !== 'admins') return;
    const now = Date.now();
    if (now - this.checkedAt >= this.recheckMs) {
      this.admin = (await audienceOf(this.pool, this.actor())) === 'admins';
      this.checkedAt = now;
    }
    if (!this.admin) throw adminOnly([type]);
  }
}

function adminOnly(types: readonly string[]) {
  return forbidden(
    'ADMIN_ONLY',
    `${types.join(', ')} ${types.length === 1 ? 'is' : 'are'} sent only to admins and to API keys of admins`,
    { types: [...types] },
  );
}
