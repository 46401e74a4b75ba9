import { createHash } from 'node:crypto';
import type pg from 'pg';
import { communityScope, conversationScope, userScope } from '../../../domain/sync/feed-records.ts';

/**
 * The scopes a person's devices follow: their own (profile, progress, memberships, conflicts),
 * every community they are a member of now (its posts), and every conversation they are in now
 * (its messages). Sorted, so the same set always hashes the same; read in one query.
 */
export async function userScopes(pool: pg.Pool, userId: string): Promise<string[]> {
  const { rows } = await pool.query<{ kind: 'community' | 'conversation'; id: string }>(
    `select 'community' as kind, m.community_id::text as id
       from community_members m
       join community_communities c on c.community_id = m.community_id and not c.erased
      where m.user_id = $1 and m.status = 'member'
     union all
     select 'conversation', conversation_id::text from chat_members where user_id = $1 and active`,
    [userId],
  );
  return [
    userScope(userId),
    ...rows.map((row) => (row.kind === 'community' ? communityScope(row.id) : conversationScope(row.id))),
  ].sort();
}

/**
 * What a device's stored scope set is compared by: a different hash means the person joined or
 * left something since that device last synced, and the device re-seeds (SCOPE_CHANGED).
 */
export function scopeHash(scopes: readonly string[]): string {
  return createHash('sha256')
    .update([...scopes].sort().join('\n'))
    .digest('base64url');
}
