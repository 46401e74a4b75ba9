import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  ACCEPT_INVITATION,
  APPROVE,
  addMember,
  BAN,
  COMMUNITIES,
  COMMUNITY,
  COMMUNITY_MEMBERS,
  communityAs,
  communityEvents,
  createCommunity,
  DECLINE_INVITATION,
  DECLINE_REQUEST,
  INVITE,
  JOIN,
  JOIN_REQUESTS,
  joinCommunity,
  LEAVE,
  MY_COMMUNITIES,
  membershipEvents,
  SET_ROLE,
  UNBAN,
  UPDATE_SETTINGS,
} from './community-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const person = (name = 'Someone') => registerAndSignIn(api, name);
const gql = (query: string, variables: Record<string, unknown>, user: TestUser) =>
  api.gql(query, variables, user.accessToken);

interface Page<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const membersOf = async (user: TestUser, id: string, variables: Record<string, unknown> = {}) =>
  fieldOf<{ members: Page<{ userId: string; role: string; joinedAt: string }> }>(
    await gql(COMMUNITY_MEMBERS, { id, ...variables }, user),
    'community',
  ).members;

describe('requests to join', () => {
  it('wait for a moderator, who approves or declines them', async () => {
    const [owner, moderator, asker, another] = [
      await person(),
      await person(),
      await person('Asker'),
      await person(),
    ];
    const community = await createCommunity(api, owner, { visibility: 'REQUEST_TO_JOIN' });
    await addMember(api, owner, community.id, moderator, 'MODERATOR');
    expect(await joinCommunity(api, asker, community.id)).toMatchObject({
      myStatus: 'REQUESTED',
      myRole: null,
      rules: null,
      memberCount: 2,
    });
    expect(errorCodes(await gql(COMMUNITY_MEMBERS, { id: community.id }, asker))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    await joinCommunity(api, another, community.id);

    const requests = fieldOf<Page<{ userId: string; user: { displayName: string } | null }>>(
      await gql(JOIN_REQUESTS, { communityId: community.id, first: 1 }, moderator),
      'communityJoinRequests',
    );
    expect(requests.nodes).toEqual([
      expect.objectContaining({ userId: asker.id, user: expect.objectContaining({ displayName: 'Asker' }) }),
    ]);
    expect(requests.pageInfo.hasNextPage).toBe(true);
    const rest = fieldOf<Page<{ userId: string }>>(
      await gql(JOIN_REQUESTS, { communityId: community.id, after: requests.pageInfo.endCursor }, moderator),
      'communityJoinRequests',
    );
    expect(rest.nodes.map((n) => n.userId)).toEqual([another.id]);
    expect(errorCodes(await gql(JOIN_REQUESTS, { communityId: community.id }, asker))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);

    const approved = await gql(APPROVE, { communityId: community.id, userId: asker.id }, moderator);
    expect(fieldOf(approved, 'approveJoinRequest')).toMatchObject({ memberCount: 3 });
    expect(await communityAs(api, asker, community.id)).toMatchObject({
      myStatus: 'MEMBER',
      rules: 'Be kind.',
    });
    expect(
      errorCodes(await gql(DECLINE_REQUEST, { communityId: community.id, userId: another.id }, moderator)),
    ).toEqual([]);
    expect((await communityAs(api, another, community.id)).myStatus).toBe('NONE');

    // No request (any more): refused, nothing stored.
    const before = await membershipEvents(api, community.id, another.id);
    expect(
      errorCodes(await gql(DECLINE_REQUEST, { communityId: community.id, userId: another.id }, moderator)),
    ).toEqual(['NOT_FOUND/JOIN_REQUEST_NOT_FOUND']);
    expect(await membershipEvents(api, community.id, another.id)).toBe(before);
    // A member cannot answer requests.
    await joinCommunity(api, another, community.id);
    expect(errorCodes(await gql(APPROVE, { communityId: community.id, userId: another.id }, asker))).toEqual([
      'FORBIDDEN/MISSING_PERMISSION',
    ]);
    expect((await communityAs(api, another, community.id)).myStatus).toBe('REQUESTED');
  });
});

describe('invitations', () => {
  it('are declined (the invite-only community disappears again) or refused for unknown people', async () => {
    const [owner, invitee] = [await person(), await person()];
    const community = await createCommunity(api, owner, { visibility: 'INVITE_ONLY' });
    fieldOf(await gql(INVITE, { communityId: community.id, userId: invitee.id }, owner), 'inviteToCommunity');
    const declined = await gql(DECLINE_INVITATION, { communityId: community.id }, invitee);
    expect(fieldOf(declined, 'declineCommunityInvitation')).toBe(community.id);
    expect(errorCodes(await api.gql(COMMUNITY, { id: community.id }, invitee.accessToken))).toEqual([
      'NOT_FOUND/COMMUNITY_NOT_FOUND',
    ]);
    const unknown = randomUUID();
    expect(errorCodes(await gql(INVITE, { communityId: community.id, userId: unknown }, owner))).toEqual([
      'NOT_FOUND/USER_NOT_FOUND',
    ]);
    expect(await membershipEvents(api, community.id, unknown)).toBe(0);
  });

  it('must exist to be accepted', async () => {
    const [owner, stranger] = [await person(), await person()];
    const community = await createCommunity(api, owner);
    expect(errorCodes(await gql(ACCEPT_INVITATION, { communityId: community.id }, stranger))).toEqual([
      'NOT_FOUND/INVITATION_NOT_FOUND',
    ]);
    expect(await membershipEvents(api, community.id, stranger.id)).toBe(0);
  });
});

describe('leaving', () => {
  it('lets a member go (and a requester withdraw), never the owner', async () => {
    const [owner, member, stranger] = [await person(), await person(), await person()];
    const community = await createCommunity(api, owner);
    await joinCommunity(api, member, community.id);
    expect(fieldOf(await gql(LEAVE, { communityId: community.id }, member), 'leaveCommunity')).toBe(
      community.id,
    );
    expect(await communityAs(api, member, community.id)).toMatchObject({ myStatus: 'LEFT', memberCount: 1 });
    const asking = await createCommunity(api, owner, { visibility: 'REQUEST_TO_JOIN' });
    await joinCommunity(api, member, asking.id);
    expect(fieldOf(await gql(LEAVE, { communityId: asking.id }, member), 'leaveCommunity')).toBe(asking.id);
    expect(await communityAs(api, member, asking.id)).toMatchObject({ myStatus: 'LEFT', memberCount: 1 });
    const requests = await gql(JOIN_REQUESTS, { communityId: asking.id }, owner);
    expect(fieldOf<Page<unknown>>(requests, 'communityJoinRequests').nodes).toEqual([]);
    expect(errorCodes(await gql(LEAVE, { communityId: community.id }, owner))).toEqual([
      'CONFLICT/OWNER_CANNOT_LEAVE',
    ]);
    expect(errorCodes(await gql(LEAVE, { communityId: community.id }, stranger))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    expect(await membershipEvents(api, community.id, stranger.id)).toBe(0);
    expect(await membershipEvents(api, community.id, owner.id)).toBe(1);
  });
});

describe('bans', () => {
  it('keep someone out until lifted; only the owner bans a moderator, nobody the owner', async () => {
    const [owner, moderator, other, troll] = [await person(), await person(), await person(), await person()];
    const community = await createCommunity(api, owner);
    await addMember(api, owner, community.id, moderator, 'MODERATOR');
    await addMember(api, owner, community.id, other, 'MODERATOR');
    await joinCommunity(api, troll, community.id);

    const ban = (by: TestUser, userId: string, reason = 'Spam links') =>
      gql(BAN, { communityId: community.id, userId, reason }, by);
    expect(fieldOf(await ban(moderator, troll.id), 'banFromCommunity')).toMatchObject({ memberCount: 3 });
    expect(await communityAs(api, troll, community.id)).toMatchObject({ myStatus: 'BANNED', rules: null });
    const banned = await membershipEvents(api, community.id, troll.id);
    expect(errorCodes(await gql(JOIN, { communityId: community.id }, troll))).toEqual(['FORBIDDEN/BANNED']);
    expect(errorCodes(await gql(COMMUNITY_MEMBERS, { id: community.id }, troll))).toEqual([
      'FORBIDDEN/BANNED',
    ]);
    expect(errorCodes(await gql(INVITE, { communityId: community.id, userId: troll.id }, moderator))).toEqual(
      ['CONFLICT/MEMBER_BANNED'],
    );
    expect(await membershipEvents(api, community.id, troll.id)).toBe(banned);

    expect(errorCodes(await ban(moderator, other.id))).toEqual(['FORBIDDEN/OUTRANKED']);
    expect(errorCodes(await ban(moderator, owner.id))).toEqual(['FORBIDDEN/CANNOT_BAN_OWNER']);
    expect(errorCodes(await ban(moderator, moderator.id))).toEqual(['VALIDATION/SELF_BAN']);
    expect(errorCodes(await ban(moderator, other.id, ''))).toEqual(['FORBIDDEN/OUTRANKED']);
    expect(errorCodes(await ban(owner, other.id, '   '))).toEqual(['VALIDATION/INVALID_REASON']);
    expect(errorCodes(await ban(owner, randomUUID()))).toEqual(['NOT_FOUND/USER_NOT_FOUND']);
    expect(await membershipEvents(api, community.id, other.id)).toBe(3);
    expect(fieldOf(await ban(owner, other.id), 'banFromCommunity')).toMatchObject({ memberCount: 2 });

    expect(errorCodes(await gql(UNBAN, { communityId: community.id, userId: troll.id }, moderator))).toEqual(
      [],
    );
    expect(await joinCommunity(api, troll, community.id)).toMatchObject({
      myStatus: 'MEMBER',
      myRole: 'MEMBER',
    });
  });
});

describe('authority', () => {
  it('is per community: a moderator of one has no say in another, and learns nothing of a hidden one', async () => {
    const [owner, moderator, target] = [await person(), await person(), await person()];
    const home = await createCommunity(api, owner);
    await addMember(api, owner, home.id, moderator, 'MODERATOR');
    const elsewhere = await createCommunity(api, await person());
    const hidden = await createCommunity(api, await person(), { visibility: 'INVITE_ONLY' });
    await joinCommunity(api, target, elsewhere.id);
    for (const [query, variables] of [
      [INVITE, {}],
      [BAN, { reason: 'Spam' }],
      [APPROVE, {}],
      [SET_ROLE, { role: 'MEMBER' }],
    ] as const) {
      const there = await gql(
        query,
        { communityId: elsewhere.id, userId: target.id, ...variables },
        moderator,
      );
      expect(errorCodes(there)).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
      const unseen = await gql(query, { communityId: hidden.id, userId: target.id, ...variables }, moderator);
      expect(errorCodes(unseen)).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    }
    expect(await membershipEvents(api, elsewhere.id, target.id)).toBe(1);
    expect(await membershipEvents(api, hidden.id, target.id)).toBe(0);
  });

  it('follows the permissions table: mentors do not invite, moderators do not assign roles', async () => {
    const [owner, mentor, moderator, member] = [
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    const community = await createCommunity(api, owner);
    await addMember(api, owner, community.id, mentor, 'MENTOR');
    await addMember(api, owner, community.id, moderator, 'MODERATOR');
    await joinCommunity(api, member, community.id);
    const stranger = await person();
    expect(errorCodes(await gql(INVITE, { communityId: community.id, userId: stranger.id }, mentor))).toEqual(
      ['FORBIDDEN/MISSING_PERMISSION'],
    );
    const promote = await gql(
      SET_ROLE,
      { communityId: community.id, userId: member.id, role: 'MENTOR' },
      moderator,
    );
    expect(errorCodes(promote)).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
    const owners = await gql(
      SET_ROLE,
      { communityId: community.id, userId: member.id, role: 'OWNER' },
      owner,
    );
    expect(errorCodes(owners)).toEqual(['VALIDATION/OWNER_NOT_ASSIGNABLE']);
    const demoteOwner = await gql(
      SET_ROLE,
      { communityId: community.id, userId: owner.id, role: 'MEMBER' },
      owner,
    );
    expect(errorCodes(demoteOwner)).toEqual(['FORBIDDEN/CANNOT_CHANGE_OWNER']);
    expect(await membershipEvents(api, community.id, member.id)).toBe(1);
    expect(await membershipEvents(api, community.id, stranger.id)).toBe(0);
  });
});

describe('settings', () => {
  it('are the owner’s to change; the fields left out keep their values', async () => {
    const [owner, moderator, passerBy] = [await person(), await person(), await person()];
    const community = await createCommunity(api, owner);
    await addMember(api, owner, community.id, moderator, 'MODERATOR');
    const update = (by: TestUser, input: Record<string, unknown>) =>
      gql(UPDATE_SETTINGS, { communityId: community.id, input }, by);
    expect(errorCodes(await update(moderator, { name: 'Mine now' }))).toEqual([
      'FORBIDDEN/MISSING_PERMISSION',
    ]);
    expect(errorCodes(await update(passerBy, { name: 'Mine now' }))).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    expect(errorCodes(await update(owner, { minTrustToPostLinks: 500 }))).toEqual([
      'VALIDATION/INVALID_TRUST_MINIMUM',
    ]);
    expect(await communityEvents(api, community.id)).toBe(1);

    const changed = fieldOf(
      await update(owner, {
        description: 'Now private',
        rules: null,
        minTrustToStartThreads: 30,
        visibility: 'INVITE_ONLY',
      }),
      'updateCommunitySettings',
    );
    expect(changed).toMatchObject({
      name: community.name,
      description: 'Now private',
      rules: null,
      minTrustToStartThreads: 30,
      visibility: 'INVITE_ONLY',
      language: 'en',
    });
    await update(owner, { description: 'Now private' });
    expect(await communityEvents(api, community.id)).toBe(2);
    // Invite-only now: a passer-by no longer finds it; its moderator still does.
    expect(errorCodes(await api.gql(COMMUNITY, { id: community.id }, passerBy.accessToken))).toEqual([
      'NOT_FOUND/COMMUNITY_NOT_FOUND',
    ]);
    expect((await communityAs(api, moderator, community.id)).description).toBe('Now private');
  });
});

describe('lists', () => {
  it('find public and request-to-join communities, and invite-only ones only for their people', async () => {
    const [owner, reader, invitee] = [await person(), await person(), await person()];
    const tag = `Zx${randomUUID().slice(0, 8)}`;
    const open = await createCommunity(api, owner, {
      name: `${tag} open`,
      language: 'pt-BR',
      region: 'Recife',
    });
    const asking = await createCommunity(api, owner, {
      name: `${tag} asking`,
      visibility: 'REQUEST_TO_JOIN',
    });
    const hidden = await createCommunity(api, owner, { name: `${tag} hidden`, visibility: 'INVITE_ONLY' });
    fieldOf(await gql(INVITE, { communityId: hidden.id, userId: invitee.id }, owner), 'inviteToCommunity');
    const found = async (user: TestUser | null, variables: Record<string, unknown>) =>
      fieldOf<Page<{ id: string; myStatus: string }>>(
        await api.gql(COMMUNITIES, { search: tag, ...variables }, user?.accessToken),
        'communities',
      ).nodes.map((n) => n.id);
    expect(await found(reader, {})).toEqual([asking.id, open.id]);
    expect(await found(null, {})).toEqual([asking.id, open.id]);
    expect(await found(invitee, {})).toEqual([hidden.id, asking.id, open.id]);
    expect(await found(reader, { language: 'pt-BR' })).toEqual([open.id]);
    expect(await found(reader, { region: 'recife' })).toEqual([open.id]);

    const first = fieldOf<Page<{ id: string }>>(
      await gql(COMMUNITIES, { search: tag, first: 1 }, owner),
      'communities',
    );
    expect(first.nodes.map((n) => n.id)).toEqual([hidden.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = fieldOf<Page<{ id: string }>>(
      await gql(COMMUNITIES, { search: tag, first: 5, after: first.pageInfo.endCursor }, owner),
      'communities',
    );
    expect(next.nodes.map((n) => n.id)).toEqual([asking.id, open.id]);
    expect(next.pageInfo.hasNextPage).toBe(false);

    await joinCommunity(api, reader, open.id);
    // Members in a list: each community's own, and an error only where the reader is not a member.
    // Twice: the second run executes the compiled (graphql-jit) query.
    for (let run = 0; run < 2; run += 1) {
      const withMembers = await gql(
        `query ($search: String) { communities(search: $search) { nodes { id members(first: 5) { nodes { userId } } } } }`,
        { search: tag },
        reader,
      );
      expect(withMembers.data).toEqual({
        communities: {
          nodes: [
            { id: asking.id, members: null },
            { id: open.id, members: { nodes: [{ userId: owner.id }, { userId: reader.id }] } },
          ],
        },
      });
      expect(errorCodes(withMembers)).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    }
    const mine = fieldOf<Page<{ id: string; myRole: string }>>(
      await gql(MY_COMMUNITIES, {}, reader),
      'myCommunities',
    );
    expect(mine.nodes).toEqual([{ id: open.id, name: open.name, myRole: 'MEMBER' }]);
    expect(errorCodes(await gql(COMMUNITIES, { first: 101 }, reader))[0]).toMatch(/^VALIDATION/u);
    expect(errorCodes(await gql(COMMUNITIES, { after: 'nonsense' }, reader))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
  });

  it('page through members, longest-standing first, by role', async () => {
    const owner = await person();
    const community = await createCommunity(api, owner);
    const people = [await person(), await person(), await person(), await person()];
    for (const someone of people) await joinCommunity(api, someone, community.id);
    await gql(SET_ROLE, { communityId: community.id, userId: people[2]?.id, role: 'MENTOR' }, owner);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const members = await membersOf(owner, community.id, { first: 2, after });
      seen.push(...members.nodes.map((n) => n.userId));
      after = members.pageInfo.endCursor;
      expect(members.pageInfo.hasNextPage).toBe(page < 2);
    }
    expect(seen).toEqual([owner.id, ...people.map((p) => p.id)]);
    expect((await membersOf(owner, community.id, { role: 'MENTOR' })).nodes.map((n) => n.userId)).toEqual([
      people[2]?.id,
    ]);
    expect(errorCodes(await gql(COMMUNITY_MEMBERS, { id: community.id, first: 101 }, owner))[0]).toMatch(
      /^VALIDATION/u,
    );
  });
});
