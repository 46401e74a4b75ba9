import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityPermission } from '../../../src/domain/communities/policy.ts';
import type { Actor } from '../../../src/domain/shared/decider.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import {
  communityOnRecord,
  membershipOnRecord,
  requireCommunityPermission,
} from '../../../src/services/communities/access.ts';
import { communityReadAccess, requireReadPermission } from '../../../src/services/communities/read-access.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  addMember,
  BAN,
  type CommunityView,
  createCommunity,
  INVITE,
  joinCommunity,
  LEAVE,
} from './community-support.ts';

/**
 * The two judges of who may do what (access.ts from the streams, for mutations; read-access.ts
 * from the read model, for queries) agree for everyone who can stand with a community, in a
 * public and in an invite-only one: same status, same role, same verdict on each permission.
 */
let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const PERMISSIONS: CommunityPermission[] = [
  'community.read',
  'learning.publish',
  'community.ban',
  'community.erase',
];
const actorOf = (user: TestUser): Actor => ({ kind: 'user', userId: user.id, role: 'user' });

/** A verdict as `CODE/REASON`, or the role the permission was granted with. */
async function verdict(judge: () => Promise<{ role: string }>): Promise<string> {
  try {
    return `granted:${(await judge()).role}`;
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}/${error.reason}`;
    throw error;
  }
}

async function standing(visibility: CommunityView['visibility']) {
  const person = (name: string) => registerAndSignIn(api, name);
  const [owner, moderator, mentor, member, invitee, requester, banned, former, stranger] = [
    await person('owner'),
    await person('moderator'),
    await person('mentor'),
    await person('member'),
    await person('invitee'),
    await person('requester'),
    await person('banned'),
    await person('former'),
    await person('stranger'),
  ];
  const community = await createCommunity(api, owner, { visibility });
  await addMember(api, owner, community.id, moderator, 'MODERATOR');
  await addMember(api, owner, community.id, mentor, 'MENTOR');
  await addMember(api, owner, community.id, member);
  await addMember(api, owner, community.id, banned);
  await addMember(api, owner, community.id, former);
  fieldOf(
    await api.gql(INVITE, { communityId: community.id, userId: invitee.id }, owner.accessToken),
    'inviteToCommunity',
  );
  const ban = { communityId: community.id, userId: banned.id, reason: 'Spam' };
  fieldOf(await api.gql(BAN, ban, owner.accessToken), 'banFromCommunity');
  fieldOf(await api.gql(LEAVE, { communityId: community.id }, former.accessToken), 'leaveCommunity');
  if (visibility === 'REQUEST_TO_JOIN') await joinCommunity(api, requester, community.id);
  const people = { owner, moderator, mentor, member, invitee, requester, banned, former, stranger };
  return { community, people };
}

describe('access on record and read access', () => {
  it.each(['REQUEST_TO_JOIN', 'INVITE_ONLY'] as const)(
    'agree for everyone in a %s community',
    async (visibility) => {
      const { community, people } = await standing(visibility);
      const deps = { store: api.runtime.store, codec: api.runtime.codec };
      const { pool } = api.runtime;
      const onRecord = await communityOnRecord(deps, community.id);
      expect(onRecord).toMatchObject({
        communityId: community.id,
        erased: false,
        createdBy: people.owner.id,
      });

      const verdicts: Record<string, unknown> = {};
      for (const [name, user] of Object.entries(people)) {
        const written = await membershipOnRecord(deps, community.id, user.id);
        const read = await communityReadAccess(pool, community.id, user.id);
        // Invite-only: whoever has no record with it is not told it exists.
        if (read === null) expect([visibility, written.status]).toEqual(['INVITE_ONLY', 'none']);
        else expect({ status: read.status, role: read.role }).toEqual(written);
        for (const permission of PERMISSIONS) {
          const write = await verdict(() =>
            requireCommunityPermission(deps, community.id, actorOf(user), permission),
          );
          const query = await verdict(() => requireReadPermission(pool, community.id, user.id, permission));
          expect(query, `${name} ${permission}`).toBe(write);
          verdicts[`${name} ${permission}`] = write;
        }
      }
      const hidden =
        visibility === 'INVITE_ONLY' ? 'NOT_FOUND/COMMUNITY_NOT_FOUND' : 'FORBIDDEN/NOT_A_MEMBER';
      expect(verdicts).toMatchObject({
        'owner community.erase': 'granted:owner',
        'moderator community.ban': 'granted:moderator',
        'moderator community.erase': 'FORBIDDEN/MISSING_PERMISSION',
        'mentor learning.publish': 'granted:mentor',
        'mentor community.ban': 'FORBIDDEN/MISSING_PERMISSION',
        'member community.read': 'granted:member',
        'member learning.publish': 'FORBIDDEN/MISSING_PERMISSION',
        'invitee community.read': 'FORBIDDEN/NOT_A_MEMBER',
        'banned community.read': 'FORBIDDEN/BANNED',
        'former community.read': 'FORBIDDEN/NOT_A_MEMBER',
        'stranger community.read': hidden,
        'requester community.read': hidden,
      });
      expect(await verdict(() => requireReadPermission(pool, community.id, null, 'community.read'))).toBe(
        visibility === 'INVITE_ONLY' ? 'NOT_FOUND/COMMUNITY_NOT_FOUND' : 'FORBIDDEN/SIGN_IN_REQUIRED',
      );
      const anonymous = await verdict(() =>
        requireCommunityPermission(deps, community.id, { kind: 'anonymous' }, 'community.read'),
      );
      expect(anonymous).toBe('FORBIDDEN/SIGN_IN_REQUIRED');
    },
  );

  it('answer NOT_FOUND for a community that does not exist, and null on record', async () => {
    const user = await registerAndSignIn(api, 'someone');
    const deps = { store: api.runtime.store, codec: api.runtime.codec };
    const missing = crypto.randomUUID();
    expect(await communityOnRecord(deps, missing)).toBeNull();
    expect(await communityReadAccess(api.runtime.pool, missing, user.id)).toBeNull();
    expect(await communityReadAccess(api.runtime.pool, 'not-a-uuid', user.id)).toBeNull();
    expect(
      await verdict(() => requireCommunityPermission(deps, missing, actorOf(user), 'community.read')),
    ).toBe('NOT_FOUND/COMMUNITY_NOT_FOUND');
  });
});
