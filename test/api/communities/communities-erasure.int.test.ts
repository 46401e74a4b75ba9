import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import {
  COMMUNITIES_PROJECTION,
  communitiesProjection,
} from '../../../src/projections/read-models/communities.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { recordCommunityErasure } from '../../../src/services/communities/communities.ts';
import type { RequestContext } from '../../../src/services/shared/command-context.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  addMember,
  BAN,
  COMMUNITY,
  communityAs,
  communityEvents,
  communityServiceDeps,
  createCommunity,
  joinCommunity,
} from './community-support.ts';

/**
 * The EraseCommunity command as the erasure service (erasure.ts) issues it, and what the
 * `communities` read model makes of it: a tombstone without texts or members, the member rows
 * gone, other communities untouched, and a rebuild from the history ending the same.
 */
let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const as = (user: TestUser): RequestContext => ({
  actor: { kind: 'user', userId: user.id, role: 'user' },
  correlationId: crypto.randomUUID(),
});
const erase = (user: TestUser, communityId: string, reason = 'We are closing') =>
  recordCommunityErasure(communityServiceDeps(api), as(user), { communityId, reason });

describe('EraseCommunity', () => {
  it('is the owner’s, once; the read model keeps a tombstone and no member rows', async () => {
    const [owner, moderator, member, banned] = [
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    const community = await createCommunity(api, owner);
    const other = await createCommunity(api, owner);
    await addMember(api, owner, community.id, moderator, 'MODERATOR');
    await joinCommunity(api, member, community.id);
    await joinCommunity(api, member, other.id);
    await api.gql(BAN, { communityId: community.id, userId: banned.id, reason: 'Spam' }, owner.accessToken);

    await expect(erase(moderator, community.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MISSING_PERMISSION',
    });
    await expect(erase(member, community.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'MISSING_PERMISSION',
    });
    await expect(erase(owner, community.id, ' ')).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'INVALID_REASON',
    });
    expect(await communityEvents(api, community.id)).toBe(1);
    expect(await memberRows(community.id)).toBe(4);

    const erased = await erase(owner, community.id);
    expect(erased.events.map((e) => e.type)).toEqual(['CommunityErased']);
    await expect(erase(owner, community.id)).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'COMMUNITY_ERASED',
    });
    expect(await communityEvents(api, community.id)).toBe(2);

    const { rows } = await api.runtime.pool.query(
      'select erased, description, rules, member_count from community_communities where community_id = $1',
      [community.id],
    );
    expect(rows).toEqual([{ erased: true, description: null, rules: null, member_count: 0 }]);
    expect(await memberRows(community.id)).toBe(0);
    expect(errorCodes(await api.gql(COMMUNITY, { id: community.id }, owner.accessToken))).toEqual([
      'NOT_FOUND/COMMUNITY_NOT_FOUND',
    ]);
    // Nothing more happens in it.
    expect(
      errorCodes(
        await api.gql(BAN, { communityId: community.id, userId: member.id, reason: 'x' }, owner.accessToken),
      ),
    ).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    expect(await communityAs(api, member, other.id)).toMatchObject({ myStatus: 'MEMBER', memberCount: 2 });
    expect(await memberRows(other.id)).toBe(2);

    // Rebuilt from the history, in one batch and one event per batch: the same tables.
    const { store, pool, bus, codec } = api.runtime;
    const projection = communitiesProjection(codec);
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        { store, pool, bus, log: createLogger('silent') },
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false, batchSize },
      );
      expect(report.comparison?.length).toBe(Object.keys(projection.tables).length);
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(await abandonRebuild(pool, COMMUNITIES_PROJECTION)).toBe(true);
    }
  });
});

const person = (name = 'Someone') => registerAndSignIn(api, name);

async function memberRows(communityId: string): Promise<number> {
  const { rows } = await api.runtime.pool.query<{ count: string }>(
    'select count(*) from community_members where community_id = $1',
    [communityId],
  );
  return Number(rows[0]?.count);
}
