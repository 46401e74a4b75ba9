import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatConversationStream } from '../../../src/domain/chat/streams.ts';
import { BLOCK, eventsIn, UNBLOCK } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { mediaAsset } from '../videos/support.ts';
import {
  ADD_MEMBERS,
  CHANGE_ROLE,
  CONVERSATION,
  type ConversationView,
  CREATE_GROUP,
  conversationAs,
  createGroup,
  LEAVE,
  MEMBERS_PAGE,
  myConversations,
  REMOVE_MEMBER,
  SETTINGS,
  START_DIRECT,
  startDirect,
  storedMessage,
  UPDATE_DETAILS,
} from './conversation-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const person = (name = 'Someone') => registerAndSignIn(api, name);
const people = async (count: number) => {
  const made: TestUser[] = [];
  for (let i = 0; i < count; i += 1) made.push(await person(`Person ${i}`));
  return made;
};
const notFound = ['NOT_FOUND/CONVERSATION_NOT_FOUND'];

describe('direct conversations', () => {
  it('starts one per pair: either person starting it again finds the same conversation', async () => {
    const [ada, bob] = [await person('Ada'), await person('Bob')];
    const started = await startDirect(api, ada, bob);
    expect(started).toMatchObject({
      kind: 'DIRECT',
      title: null,
      avatarUrl: null,
      myRole: 'MEMBER',
      memberCount: 2,
      unreadCount: 0,
    });
    expect(started.members.nodes.map((m) => [m.userId, m.user?.displayName]).sort()).toEqual(
      [
        [ada.id, 'Ada'],
        [bob.id, 'Bob'],
      ].sort(),
    );
    expect((await startDirect(api, bob, ada)).id).toBe(started.id);
    expect((await startDirect(api, ada, bob)).id).toBe(started.id);
    expect(await eventsIn(api, chatConversationStream(started.id))).toBe(1);
    expect((await myConversations(api, bob)).nodes.map((n) => n.id)).toEqual([started.id]);
  });

  it('refuses yourself, unknown and deactivated accounts, malformed ids and anonymous callers', async () => {
    const [ada, gone] = [await person(), await person()];
    const deactivated = await api.gql(
      'mutation ($id: ID!) { deactivateUser(userId: $id) { id } }',
      { id: gone.id },
      gone.accessToken,
    );
    expect(deactivated.errors).toBeUndefined();
    const start = (userId: string, token?: string) => api.gql(START_DIRECT, { userId }, token);
    expect(errorCodes(await start(ada.id, ada.accessToken))).toEqual(['VALIDATION/SELF_CONVERSATION']);
    expect(errorCodes(await start(randomUUID(), ada.accessToken))).toEqual(['NOT_FOUND/USER_NOT_FOUND']);
    expect(errorCodes(await start(gone.id, ada.accessToken))).toEqual(['NOT_FOUND/USER_NOT_FOUND']);
    expect(errorCodes(await start('not-a-uuid', ada.accessToken))[0]).toMatch(/^VALIDATION/);
    expect(errorCodes(await start(gone.id))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect((await myConversations(api, ada)).nodes).toEqual([]);
  });

  it('is refused either way round a block, even when the conversation already exists; direct ones cannot be left or changed', async () => {
    const [ada, bob, cy] = [await person(), await person(), await person()];
    const existing = await startDirect(api, ada, bob);
    expect((await api.gql(BLOCK, { userId: ada.id }, bob.accessToken)).errors).toBeUndefined();
    expect(errorCodes(await api.gql(START_DIRECT, { userId: bob.id }, ada.accessToken))).toEqual([
      'FORBIDDEN/BLOCKED',
    ]);
    expect(errorCodes(await api.gql(START_DIRECT, { userId: ada.id }, bob.accessToken))).toEqual([
      'FORBIDDEN/BLOCKED',
    ]);
    expect((await api.gql(UNBLOCK, { userId: ada.id }, bob.accessToken)).errors).toBeUndefined();
    expect((await startDirect(api, ada, bob)).id).toBe(existing.id);

    const conversationId = existing.id;
    expect(errorCodes(await api.gql(LEAVE, { conversationId }, ada.accessToken))).toEqual([
      'CONFLICT/DIRECT_CONVERSATION',
    ]);
    expect(
      errorCodes(await api.gql(ADD_MEMBERS, { conversationId, userIds: [cy.id] }, ada.accessToken)),
    ).toEqual(['CONFLICT/DIRECT_CONVERSATION']);
    expect(
      errorCodes(await api.gql(UPDATE_DETAILS, { conversationId, title: 'Ours' }, ada.accessToken)),
    ).toEqual(['CONFLICT/DIRECT_CONVERSATION']);
    // A third person learns nothing of the pair's conversation.
    expect(errorCodes(await api.gql(CONVERSATION, { id: conversationId }, cy.accessToken))).toEqual(notFound);
    expect(errorCodes(await api.gql(LEAVE, { conversationId }, cy.accessToken))).toEqual(notFound);
  });
});

describe('groups', () => {
  it('makes the creator owner, shows the group to each member, and a retried create makes one group', async () => {
    const [owner, ann, ben] = [await person('Owner'), await person('Ann'), await person('Ben')];
    const key = `group-${randomUUID()}`;
    const create = () =>
      api.gql(
        CREATE_GROUP,
        { title: '  Skate crew  ', memberIds: [ann.id, ben.id, ann.id], key },
        owner.accessToken,
      );
    const group = fieldOf<ConversationView>(await create(), 'createGroupConversation');
    expect(group).toMatchObject({ kind: 'GROUP', title: 'Skate crew', myRole: 'OWNER', memberCount: 3 });
    // Founders joined together: the starter first, then by id.
    expect(group.members.nodes.map((m) => [m.userId, m.role])).toEqual([
      [owner.id, 'OWNER'],
      ...[ann.id, ben.id].sort().map((id) => [id, 'MEMBER']),
    ]);
    expect(fieldOf<ConversationView>(await create(), 'createGroupConversation').id).toBe(group.id);
    expect(await eventsIn(api, chatConversationStream(group.id))).toBe(1);
    expect(await conversationAs(api, ann, group.id)).toMatchObject({ myRole: 'MEMBER', title: 'Skate crew' });
    // The same key with other input is another request, refused.
    const reused = await api.gql(
      CREATE_GROUP,
      { title: 'Other', memberIds: [ann.id], key },
      owner.accessToken,
    );
    expect(errorCodes(reused)).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
  });

  it('refuses a huge title, more than 256 members, unknown people, and a stranger reading or changing it', async () => {
    const [owner, ann, stranger] = [await person(), await person(), await person()];
    const huge = await api.gql(
      CREATE_GROUP,
      { title: 'x'.repeat(101), memberIds: [ann.id] },
      owner.accessToken,
    );
    expect(errorCodes(huge)).toEqual(['VALIDATION/INVALID_TITLE']);
    const enormous = await api.gql(
      CREATE_GROUP,
      { title: 'y'.repeat(9_000), memberIds: [] },
      owner.accessToken,
    );
    expect(errorCodes(enormous)).toEqual(['VALIDATION/INVALID_TITLE']);
    const crowd = Array.from({ length: 300 }, () => randomUUID());
    const full = await api.gql(CREATE_GROUP, { title: 'Crowd', memberIds: crowd }, owner.accessToken);
    expect(errorCodes(full)).toEqual(['CONFLICT/GROUP_FULL']);
    const unknown = await api.gql(
      CREATE_GROUP,
      { title: 'Ghosts', memberIds: [randomUUID()] },
      owner.accessToken,
    );
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND/USER_NOT_FOUND']);
    expect((await myConversations(api, owner)).nodes).toEqual([]);

    const group = await createGroup(api, owner, [ann]);
    expect(errorCodes(await api.gql(CONVERSATION, { id: group.id }, stranger.accessToken))).toEqual(notFound);
    expect(errorCodes(await api.gql(CONVERSATION, { id: randomUUID() }, stranger.accessToken))).toEqual(
      notFound,
    );
    const add = await api.gql(
      ADD_MEMBERS,
      { conversationId: group.id, userIds: [stranger.id] },
      stranger.accessToken,
    );
    expect(errorCodes(add)).toEqual(notFound);
    // Adding 300 more is over the limit, decided before any of them is looked up.
    const over = await api.gql(ADD_MEMBERS, { conversationId: group.id, userIds: crowd }, owner.accessToken);
    expect(errorCodes(over)).toEqual(['CONFLICT/GROUP_FULL']);
    expect((await conversationAs(api, owner, group.id)).memberCount).toBe(2);
  });

  it('lets owners and admins add and remove; a removed member sees nothing of the group any more', async () => {
    const [owner, ann, ben, cy] = [await person(), await person(), await person(), await person()];
    const group = await createGroup(api, owner, [ann, ben]);
    const conversationId = group.id;
    // A plain member may not add or remove.
    expect(
      errorCodes(await api.gql(ADD_MEMBERS, { conversationId, userIds: [cy.id] }, ann.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_ADMIN']);
    expect(
      errorCodes(await api.gql(REMOVE_MEMBER, { conversationId, userId: ben.id }, ann.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_ADMIN']);
    const promoted = await api.gql(
      CHANGE_ROLE,
      { conversationId, userId: ann.id, role: 'ADMIN' },
      owner.accessToken,
    );
    const roles = fieldOf<ConversationView>(promoted, 'changeConversationRole').members.nodes;
    expect(roles.find((m) => m.userId === ann.id)?.role).toBe('ADMIN');
    const added = await api.gql(ADD_MEMBERS, { conversationId, userIds: [cy.id, ben.id] }, ann.accessToken);
    expect(fieldOf<ConversationView>(added, 'addConversationMembers').memberCount).toBe(4);
    expect(
      errorCodes(await api.gql(REMOVE_MEMBER, { conversationId, userId: owner.id }, ann.accessToken)),
    ).toEqual(['FORBIDDEN/CANNOT_REMOVE_OWNER']);
    const removed = await api.gql(REMOVE_MEMBER, { conversationId, userId: ben.id }, ann.accessToken);
    expect(fieldOf<ConversationView>(removed, 'removeConversationMember').memberCount).toBe(3);

    // Ben is now a stranger: the same answer as for a conversation that does not exist.
    expect(errorCodes(await api.gql(CONVERSATION, { id: conversationId }, ben.accessToken))).toEqual(
      notFound,
    );
    expect((await myConversations(api, ben)).nodes).toEqual([]);
    expect(errorCodes(await api.gql(LEAVE, { conversationId }, ben.accessToken))).toEqual(notFound);
    expect(
      errorCodes(
        await api.gql(
          SETTINGS,
          { conversationId, muted: true, archived: false, pinned: false },
          ben.accessToken,
        ),
      ),
    ).toEqual(notFound);
    // Only the owner changes roles.
    expect(
      errorCodes(
        await api.gql(CHANGE_ROLE, { conversationId, userId: cy.id, role: 'ADMIN' }, ann.accessToken),
      ),
    ).toEqual(['FORBIDDEN/NOT_OWNER']);
    // Added again, Ben sees the group from then on.
    await api.gql(ADD_MEMBERS, { conversationId, userIds: [ben.id] }, owner.accessToken);
    expect(await conversationAs(api, ben, conversationId)).toMatchObject({
      myRole: 'MEMBER',
      memberCount: 4,
    });
  });

  it('hands ownership to the longest-standing admin when the owner leaves, else the longest-standing member', async () => {
    const [owner, ann, ben, cy] = [await person(), await person(), await person(), await person()];
    const group = await createGroup(api, owner, [ann, ben, cy]);
    const conversationId = group.id;
    await api.gql(CHANGE_ROLE, { conversationId, userId: cy.id, role: 'ADMIN' }, owner.accessToken);
    const left = await api.gql(LEAVE, { conversationId }, owner.accessToken);
    expect(fieldOf<string>(left, 'leaveConversation')).toBe(conversationId);
    expect(errorCodes(await api.gql(CONVERSATION, { id: conversationId }, owner.accessToken))).toEqual(
      notFound,
    );
    expect(await conversationAs(api, cy, conversationId)).toMatchObject({ myRole: 'OWNER', memberCount: 3 });
    // No admin left: the longest-standing member takes over.
    await api.gql(LEAVE, { conversationId }, cy.accessToken);
    expect(await conversationAs(api, ann, conversationId)).toMatchObject({ myRole: 'OWNER', memberCount: 2 });
    await api.gql(LEAVE, { conversationId }, ann.accessToken);
    await api.gql(LEAVE, { conversationId }, ben.accessToken);
    for (const user of [owner, ann, ben, cy]) {
      expect(errorCodes(await api.gql(CONVERSATION, { id: conversationId }, user.accessToken))).toEqual(
        notFound,
      );
    }
  });

  it('sets the title and an avatar that is the caller’s own ready image; clears them with null', async () => {
    const [owner, ann] = [await person(), await person()];
    const group = await createGroup(api, owner, [ann]);
    const conversationId = group.id;
    const image = await mediaAsset(api, owner.id, { kind: 'image' });
    const changed = await api.gql(
      UPDATE_DETAILS,
      { conversationId, title: 'New name', avatarAssetId: image },
      owner.accessToken,
    );
    const view = fieldOf<ConversationView>(changed, 'updateConversationDetails');
    expect(view.title).toBe('New name');
    expect(view.avatarUrl).toMatch(/^\/media\/|^https?:/);
    expect((await conversationAs(api, ann, conversationId)).title).toBe('New name');

    const details = (avatarAssetId: string | null, token = owner.accessToken, title = 'New name') =>
      api.gql(UPDATE_DETAILS, { conversationId, title, avatarAssetId }, token);
    const annsImage = await mediaAsset(api, ann.id, { kind: 'image' });
    expect(errorCodes(await details(annsImage))).toEqual(['NOT_FOUND/MEDIA_NOT_FOUND']);
    expect(errorCodes(await details(await mediaAsset(api, owner.id, { kind: 'video' })))).toEqual([
      'VALIDATION/NOT_AN_IMAGE',
    ]);
    expect(
      errorCodes(await details(await mediaAsset(api, owner.id, { kind: 'image', stage: 'processing' }))),
    ).toEqual(['CONFLICT/MEDIA_NOT_READY']);
    expect(errorCodes(await details(randomUUID()))).toEqual(['NOT_FOUND/MEDIA_NOT_FOUND']);
    expect(errorCodes(await details(null, ann.accessToken))).toEqual(['FORBIDDEN/NOT_ADMIN']);
    expect(errorCodes(await details(null, owner.accessToken, 'z'.repeat(101)))).toEqual([
      'VALIDATION/INVALID_TITLE',
    ]);
    const cleared = fieldOf<ConversationView>(
      await details(null, owner.accessToken, ''),
      'updateConversationDetails',
    );
    expect(cleared).toMatchObject({ title: null, avatarUrl: null });
  });

  it('pages members, longest-standing first, and refuses a forged cursor', async () => {
    const owner = await person();
    const founders = await people(3);
    const late = await person();
    const group = await createGroup(api, owner, founders);
    await api.gql(ADD_MEMBERS, { conversationId: group.id, userIds: [late.id] }, owner.accessToken);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const response = await api.gql(MEMBERS_PAGE, { id: group.id, first: 2, after }, owner.accessToken);
      const { members } = fieldOf<{
        members: { nodes: { userId: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }>(response, 'chatConversation');
      seen.push(...members.nodes.map((n) => n.userId));
      after = members.pageInfo.hasNextPage ? members.pageInfo.endCursor : null;
    } while (after);
    // The starter, the founders by id, then the one added later.
    expect(seen).toEqual([owner.id, ...founders.map((o) => o.id).sort(), late.id]);
    const forged = Buffer.from(JSON.stringify(['x', 'y', 'z'])).toString('base64url');
    expect(
      errorCodes(await api.gql(MEMBERS_PAGE, { id: group.id, after: forged }, owner.accessToken)),
    ).toEqual(['VALIDATION/INVALID_CURSOR']);
  });
});

describe('myChatConversations', () => {
  it('lists pinned first, then by last activity; archived apart; a page at a time', async () => {
    const [me, ann, ben, cy] = [await person(), await person(), await person(), await person()];
    const first = await createGroup(api, me, [ann], 'first');
    const second = await createGroup(api, me, [ben], 'second');
    const third = await createGroup(api, me, [cy], 'third');
    // New activity in the first moves it ahead of the others.
    await storedMessage(api, first.id, ann.id);
    expect((await myConversations(api, me)).nodes.map((n) => n.title)).toEqual(['first', 'third', 'second']);
    const settings = (id: string, change: { pinned?: boolean; archived?: boolean }) =>
      api.gql(
        SETTINGS,
        { conversationId: id, muted: false, archived: false, pinned: false, ...change },
        me.accessToken,
      );
    expect((await settings(second.id, { pinned: true })).errors).toBeUndefined();
    expect((await settings(third.id, { archived: true })).errors).toBeUndefined();
    const listed = await myConversations(api, me);
    expect(listed.nodes.map((n) => [n.title, n.pinned])).toEqual([
      ['second', true],
      ['first', false],
    ]);
    expect(listed.nodes[1]?.unreadCount).toBe(1);
    expect((await myConversations(api, me, { archived: true })).nodes.map((n) => n.title)).toEqual(['third']);
    // Settings are the caller's own: Cy's view of the archived group is untouched.
    expect(await conversationAs(api, cy, third.id)).toMatchObject({ archived: false, pinned: false });

    const page1 = await myConversations(api, me, { first: 1 });
    expect(page1.nodes.map((n) => n.title)).toEqual(['second']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await myConversations(api, me, { first: 1, after: page1.pageInfo.endCursor });
    expect(page2.nodes.map((n) => n.title)).toEqual(['first']);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(errorCodes(await api.gql(CONVERSATION, { id: 'nope' }, me.accessToken))[0]).toMatch(/^VALIDATION/);
    expect(errorCodes(await api.gql('{ myChatConversations { nodes { id } } }'))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
  });
});
