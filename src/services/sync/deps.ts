import type pg from 'pg';
import type { ChatDeps } from '../chat/chat-deps.ts';
import type { CommunityDeps } from '../communities/deps.ts';
import type { IdentityDeps } from '../identity/context.ts';

/**
 * What sync needs: every pushed change is applied through the use case of the context that owns
 * its entity (profiles, learning progress, checkpoints, memberships, posts, chat), so the deps are
 * the union of theirs, plus the pool the receipts, the per-user lock and the read models live in.
 * The API builds each of those already; one object satisfies all of them. `authSecret` (AUTH_SECRET)
 * keys the MAC of the snapshot tokens it hands out (reseed-token.ts).
 */
export type SyncDeps = CommunityDeps & ChatDeps & IdentityDeps & { pool: pg.Pool; authSecret: Uint8Array };
