import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import { communityStream } from '../../../src/domain/communities/streams.ts';
import { appendEvents } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import {
  ACCEPT_INVITATION,
  addMember,
  COMMUNITY_MEMBERS,
  CREATE_COMMUNITY,
  communityAs,
  communityEvents,
  createCommunity,
  INVITE,
  JOIN,
  joinCommunity,
  membershipEvents,
  SET_ROLE,
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

describe('creating a community', () => {
  it('makes the creator its owner and first member, and shows a passer-by the description only', async () => {
    const [owner, passerBy] = [await person('Wanjiru'), await person()];
    const created = await createCommunity(api, owner, {
      name: '  Kiswahili Readers ',
      description: 'Reading circles',
      language: 'sw',
      region: 'Mombasa',
      rules: 'No spam.',
      minTrustToPostLinks: 20,
    });
    expect(created).toMatchObject({
      name: 'Kiswahili Readers',
      description: 'Reading circles',
      language: 'sw',
      region: 'Mombasa',
      visibility: 'PUBLIC',
      rules: 'No spam.',
      minTrustToStartThreads: 0,
      minTrustToPostLinks: 20,
      memberCount: 1,
      myRole: 'OWNER',
      myStatus: 'MEMBER',
    });
    expect(await communityEvents(api, created.id)).toBe(1);
    expect(await membershipEvents(api, created.id, owner.id)).toBe(1);
    expect(await communityAs(api, passerBy, created.id)).toMatchObject({
      description: 'Reading circles',
      rules: null,
      myRole: null,
      myStatus: 'NONE',
    });
    expect(await communityAs(api, null, created.id)).toMatchObject({
      description: 'Reading circles',
      rules: null,
    });
    const members = await api.gql(COMMUNITY_MEMBERS, { id: created.id }, passerBy.accessToken);
    expect(errorCodes(members)).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    // A screen asking for the member-only fields too still gets the description, each refused
    // field null with its own error.
    const screen = await api.gql(
      `query ($id: ID!) { community(id: $id) { description threads(first: 5) { nodes { id } }
        learningPaths(first: 5) { nodes { id } } myTrust { score } leaderboard(first: 5) { nodes { rank } } } }`,
      { id: created.id },
      passerBy.accessToken,
    );
    expect(screen.data).toEqual({
      community: {
        description: 'Reading circles',
        threads: null,
        learningPaths: null,
        myTrust: null,
        leaderboard: null,
      },
    });
    expect(errorCodes(screen)).toEqual(Array(4).fill('FORBIDDEN/NOT_A_MEMBER'));
  });

  it('finds the same community again when retried with the same idempotency key', async () => {
    const owner = await person();
    const input = { name: 'Retry', idempotencyKey: randomUUID() };
    const first = await createCommunity(api, owner, input);
    const again = await createCommunity(api, owner, input);
    expect(again.id).toBe(first.id);
    expect(again.memberCount).toBe(1);
    expect(await communityEvents(api, first.id)).toBe(1);
  });

  it('refuses bad settings and anonymous callers, storing nothing', async () => {
    const owner = await person();
    const create = (input: Record<string, unknown>, token = owner.accessToken) =>
      api.gql(
        CREATE_COMMUNITY,
        {
          input: {
            name: 'Ok',
            language: 'en',
            region: 'Lagos',
            visibility: 'PUBLIC',
            idempotencyKey: randomUUID(),
            ...input,
          },
        },
        token,
      );
    expect(errorCodes(await create({ name: '   ' }))).toEqual(['VALIDATION/INVALID_NAME']);
    expect(errorCodes(await create({ language: 'english!' }))).toEqual(['VALIDATION/INVALID_LANGUAGE']);
    expect(errorCodes(await create({ minTrustToStartThreads: 101 }))).toEqual([
      'VALIDATION/INVALID_TRUST_MINIMUM',
    ]);
    expect(errorCodes(await create({ region: '' }))).toEqual(['VALIDATION/INVALID_REGION']);
    expect(errorCodes(await create({}, '')).at(0)).toBe('UNAUTHENTICATED/SIGN_IN_REQUIRED');
    expect(
      fieldOf<{ nodes: { id: string }[] }>(
        await api.gql('{ myCommunities { nodes { id } } }', {}, owner.accessToken),
        'myCommunities',
      ),
    ).toEqual({ nodes: [] });
  });
});

describe('a crash between the two writes of creation', () => {
  it('leaves the creator the owner, and their own join records it', async () => {
    const [owner, invitee] = [await person(), await person()];
    const communityId = randomUUID();
    // The community's stream alone, as a crash before the creator's membership would leave it.
    await appendEvents(api, communityStream(communityId), communityEventCatalogue, [
      {
        type: 'CommunityCreated',
        data: {
          communityId,
          name: 'Half made',
          description: null,
          language: 'en',
          region: 'Kampala',
          visibility: 'invite_only',
          rules: null,
          minTrustToStartThreads: 0,
          minTrustToPostLinks: 0,
          createdBy: owner.id,
        },
      },
    ]);
    expect(await communityAs(api, owner, communityId)).toMatchObject({ myRole: 'OWNER', memberCount: 0 });
    const renamed = await api.gql(
      UPDATE_SETTINGS,
      { communityId, input: { name: 'Whole' } },
      owner.accessToken,
    );
    expect(fieldOf(renamed, 'updateCommunitySettings')).toMatchObject({ name: 'Whole' });
    const invited = await api.gql(INVITE, { communityId, userId: invitee.id }, owner.accessToken);
    expect(errorCodes(invited)).toEqual([]);
    expect(await joinCommunity(api, owner, communityId)).toMatchObject({ myRole: 'OWNER', memberCount: 1 });
    expect(await membershipEvents(api, communityId, owner.id)).toBe(1);
  });
});

describe('an API key', () => {
  it('acts for its owner', async () => {
    const [owner, learner] = [await person(), await person()];
    const community = await createCommunity(api, owner);
    const created = await api.gql(
      'mutation { createApiKey(name: "bot", scopes: [GRAPHQL_READ, GRAPHQL_WRITE]) { key } }',
      {},
      learner.accessToken,
    );
    const { key } = fieldOf<{ key: string }>(created, 'createApiKey');
    const joined = await api.gql(JOIN, { communityId: community.id }, key);
    expect(fieldOf(joined, 'joinCommunity')).toMatchObject({ myRole: 'MEMBER', memberCount: 2 });
    expect(await communityAs(api, learner, community.id)).toMatchObject({ myStatus: 'MEMBER' });
  });
});

describe('joining', () => {
  it('joins a public community at once', async () => {
    const [owner, learner] = [await person(), await person()];
    const community = await createCommunity(api, owner);
    expect(await joinCommunity(api, learner, community.id)).toMatchObject({
      myRole: 'MEMBER',
      myStatus: 'MEMBER',
      memberCount: 2,
      rules: 'Be kind.',
    });
    // Joining again decides nothing.
    await joinCommunity(api, learner, community.id);
    expect(await membershipEvents(api, community.id, learner.id)).toBe(1);
  });

  it('refuses an invite-only community to the uninvited (nothing stored) and hides it from them', async () => {
    const [owner, stranger] = [await person(), await person()];
    const community = await createCommunity(api, owner, { visibility: 'INVITE_ONLY' });
    const joined = await api.gql(JOIN, { communityId: community.id }, stranger.accessToken);
    expect(errorCodes(joined)).toEqual(['FORBIDDEN/INVITATION_REQUIRED']);
    expect(await membershipEvents(api, community.id, stranger.id)).toBe(0);
    const seen = await api.gql(
      'query ($id: ID!) { community(id: $id) { id } }',
      { id: community.id },
      stranger.accessToken,
    );
    expect(errorCodes(seen)).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
  });

  it('lets an invited person in, and the owner give them a role', async () => {
    const [owner, mentor] = [await person(), await person('Mentor')];
    const community = await createCommunity(api, owner, { visibility: 'INVITE_ONLY' });
    const invited = fieldOf<{ memberCount: number }>(
      await api.gql(INVITE, { communityId: community.id, userId: mentor.id }, owner.accessToken),
      'inviteToCommunity',
    );
    expect(invited.memberCount).toBe(1);
    expect(await communityAs(api, mentor, community.id)).toMatchObject({ myStatus: 'INVITED', rules: null });
    const accepted = await api.gql(ACCEPT_INVITATION, { communityId: community.id }, mentor.accessToken);
    expect(fieldOf(accepted, 'acceptCommunityInvitation')).toMatchObject({
      myRole: 'MEMBER',
      memberCount: 2,
    });
    const promoted = await api.gql(
      SET_ROLE,
      { communityId: community.id, userId: mentor.id, role: 'MENTOR' },
      owner.accessToken,
    );
    expect(errorCodes(promoted)).toEqual([]);
    expect((await communityAs(api, mentor, community.id)).myRole).toBe('MENTOR');
    const members = await api.gql(
      COMMUNITY_MEMBERS,
      { id: community.id, role: 'MENTOR' },
      mentor.accessToken,
    );
    expect(fieldOf<{ members: { nodes: unknown[] } }>(members, 'community').members.nodes).toEqual([
      expect.objectContaining({
        userId: mentor.id,
        role: 'MENTOR',
        user: expect.objectContaining({ displayName: 'Mentor' }),
      }),
    ]);
  });

  it('addMember makes anyone a member with a role, whatever the visibility', async () => {
    const [owner, moderator] = [await person(), await person()];
    const community = await createCommunity(api, owner, { visibility: 'REQUEST_TO_JOIN' });
    expect(await addMember(api, owner, community.id, moderator, 'MODERATOR')).toMatchObject({
      myRole: 'MODERATOR',
      memberCount: 2,
    });
  });
});
