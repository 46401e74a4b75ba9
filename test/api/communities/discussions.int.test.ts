import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLY_DEPTH, MAX_TITLE_LENGTH } from '../../../src/domain/communities/discussion-values.ts';
import { communityPostStream } from '../../../src/domain/communities/streams.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import {
  errorCodes,
  fieldOf,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, BAN, createCommunity } from './community-support.ts';

const BASE_FIELDS = `id communityId threadId authorId body status helpful createdAt editedAt
  removal { reason removedBy removedAt }`;
const THREAD_FIELDS = `${BASE_FIELDS} title pinned replyCount lastActivityAt`;
const REPLY_FIELDS = `${BASE_FIELDS} parentId depth`;
const POST_FIELDS = `${BASE_FIELDS} ... on CommunityThread { title pinned replyCount lastActivityAt }
  ... on CommunityReply { parentId depth }`;
const START = `mutation ($communityId: ID!, $title: String!, $body: String!, $key: String) {
  startCommunityThread(communityId: $communityId, title: $title, body: $body, idempotencyKey: $key) { ${THREAD_FIELDS} } }`;
const REPLY = `mutation ($parentId: ID!, $body: String!, $key: String) {
  replyInCommunity(parentId: $parentId, body: $body, idempotencyKey: $key) { ${REPLY_FIELDS} } }`;
const EDIT = `mutation ($postId: ID!, $title: String, $body: String!) {
  editCommunityPost(postId: $postId, title: $title, body: $body) { ${POST_FIELDS} } }`;
const DELETE = `mutation ($postId: ID!) { deleteCommunityPost(postId: $postId) { ${POST_FIELDS} } }`;
const REMOVE = `mutation ($postId: ID!, $reason: String!) {
  removeCommunityPost(postId: $postId, reason: $reason) { ${POST_FIELDS} } }`;
const PIN = `mutation ($threadId: ID!) { pinCommunityThread(threadId: $threadId) { ${THREAD_FIELDS} } }`;
const UNPIN = `mutation ($threadId: ID!) { unpinCommunityThread(threadId: $threadId) { ${THREAD_FIELDS} } }`;
const HELPFUL = `mutation ($postId: ID!) { markCommunityPostHelpful(postId: $postId) { ${REPLY_FIELDS} } }`;
const THREAD = `query ($id: ID!, $first: Int, $after: String) { communityThread(id: $id) {
  ${THREAD_FIELDS} author { id displayName }
  replies(first: $first, after: $after) { nodes { ${REPLY_FIELDS} } pageInfo { hasNextPage endCursor } } } }`;
const THREADS = `query ($id: ID!, $first: Int, $after: String) { community(id: $id) {
  threads(first: $first, after: $after) { nodes { id title pinned status } pageInfo { hasNextPage endCursor } } } }`;

interface PostView {
  id: string;
  communityId: string;
  threadId: string;
  authorId: string;
  body: string | null;
  status: 'ACTIVE' | 'DELETED' | 'REMOVED';
  helpful: boolean;
  editedAt: string | null;
  removal: { reason: string; removedBy: string; removedAt: string } | null;
  title?: string | null;
  pinned?: boolean;
  replyCount?: number;
  parentId?: string;
  depth?: number;
}
interface Page<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let api: IdentityApp;
let owner: TestUser;
let moderator: TestUser;
let mentor: TestUser;
let ana: TestUser;
let ben: TestUser;
let stranger: TestUser;
let banned: TestUser;
let otherModerator: TestUser;
let communityId: string;
let otherCommunityId: string;
let hiddenCommunityId: string;

beforeAll(async () => {
  api = await startIdentityApp();
  const person = (name: string) => registerAndSignIn(api, name);
  [owner, moderator, mentor, ana, ben] = [
    await person('Owner'),
    await person('Moderator'),
    await person('Mentor'),
    await person('Ana'),
    await person('Ben'),
  ];
  [stranger, banned, otherModerator] = [
    await person('Stranger'),
    await person('Banned'),
    await person('Other moderator'),
  ];
  communityId = (await createCommunity(api, owner, { visibility: 'PUBLIC' })).id;
  await addMember(api, owner, communityId, moderator, 'MODERATOR');
  await addMember(api, owner, communityId, mentor, 'MENTOR');
  await addMember(api, owner, communityId, ana);
  await addMember(api, owner, communityId, ben);
  await addMember(api, owner, communityId, banned);
  fieldOf(
    await api.gql(BAN, { communityId, userId: banned.id, reason: 'spam' }, owner.accessToken),
    'banFromCommunity',
  );
  const otherOwner = await registerAndSignIn(api, 'Other owner');
  otherCommunityId = (await createCommunity(api, otherOwner, { visibility: 'PUBLIC' })).id;
  await addMember(api, otherOwner, otherCommunityId, otherModerator, 'MODERATOR');
  hiddenCommunityId = (await createCommunity(api, otherOwner, { visibility: 'INVITE_ONLY' })).id;
});
afterAll(async () => {
  await api?.close();
});

const headPosition = async () =>
  (await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position;

/** The refusal's codes, and that it stored nothing at all. */
async function refused(call: () => Promise<GraphQLResponse>): Promise<string[]> {
  const head = await headPosition();
  const response = await call();
  expect(await headPosition()).toBe(head);
  return errorCodes(response);
}

async function startThread(
  user: TestUser,
  title = 'Fractions',
  body = 'How do I add 1/3 and 1/4?',
  id = communityId,
) {
  return fieldOf<PostView>(
    await api.gql(START, { communityId: id, title, body }, user.accessToken),
    'startCommunityThread',
  );
}
async function reply(user: TestUser, parentId: string, body = 'Use twelfths') {
  return fieldOf<PostView>(await api.gql(REPLY, { parentId, body }, user.accessToken), 'replyInCommunity');
}
async function threadAs(user: TestUser, id: string, page: { first?: number; after?: string | null } = {}) {
  return fieldOf<PostView & { author: { id: string } | null; replies: Page<PostView> }>(
    await api.gql(THREAD, { id, ...page }, user.accessToken),
    'communityThread',
  );
}

describe('threads and replies', () => {
  it('starts a thread, answers it at depth 1 and 2, and reads it back with its replies in order', async () => {
    const thread = await startThread(ana, '  Fractions  ', ' How do I add 1/3 and 1/4? ');
    expect(thread).toMatchObject({
      communityId,
      threadId: thread.id,
      authorId: ana.id,
      title: 'Fractions',
      body: 'How do I add 1/3 and 1/4?',
      status: 'ACTIVE',
      pinned: false,
      replyCount: 0,
    });
    const first = await reply(ben, thread.id);
    const nested = await reply(ana, first.id, 'Why twelfths?');
    expect(first).toMatchObject({ threadId: thread.id, parentId: thread.id, depth: 1 });
    expect(nested).toMatchObject({ threadId: thread.id, parentId: first.id, depth: 2 });

    const read = await threadAs(mentor, thread.id);
    expect(read.replyCount).toBe(2);
    expect(read.author?.id).toBe(ana.id);
    expect(read.replies.nodes.map((r) => [r.id, r.body])).toEqual([
      [first.id, 'Use twelfths'],
      [nested.id, 'Why twelfths?'],
    ]);
  });

  it('lets the author edit and delete; the deleted post keeps its place without words', async () => {
    const thread = await startThread(ana);
    const answer = await reply(ben, thread.id);
    const edited = fieldOf<PostView>(
      await api.gql(
        EDIT,
        { postId: thread.id, title: 'Adding fractions', body: 'And 1/5?' },
        ana.accessToken,
      ),
      'editCommunityPost',
    );
    expect(edited).toMatchObject({ title: 'Adding fractions', body: 'And 1/5?' });
    expect(edited.editedAt).not.toBeNull();
    expect(
      await refused(() => api.gql(EDIT, { postId: answer.id, body: 'mine now' }, ana.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_AUTHOR']);
    expect(await refused(() => api.gql(DELETE, { postId: answer.id }, moderator.accessToken))).toEqual([
      'FORBIDDEN/NOT_AUTHOR',
    ]);
    const deleted = fieldOf<PostView>(
      await api.gql(DELETE, { postId: answer.id }, ben.accessToken),
      'deleteCommunityPost',
    );
    expect(deleted).toMatchObject({ status: 'DELETED', body: null, removal: null });
    const read = await threadAs(ana, thread.id);
    expect(read.replies.nodes).toEqual([
      expect.objectContaining({ id: answer.id, status: 'DELETED', body: null }),
    ]);
    expect(
      await refused(() => api.gql(REPLY, { parentId: answer.id, body: 'hello?' }, ana.accessToken)),
    ).toEqual(['CONFLICT/POST_DELETED']);
  });

  it('starts a thread once for one idempotency key, and refuses the key with other words', async () => {
    const key = `start-${randomUUID()}`;
    const variables = { communityId, title: 'Once', body: 'Only once', key };
    const first = fieldOf<PostView>(await api.gql(START, variables, ana.accessToken), 'startCommunityThread');
    const again = fieldOf<PostView>(await api.gql(START, variables, ana.accessToken), 'startCommunityThread');
    expect(again.id).toBe(first.id);
    expect(
      await refused(() => api.gql(START, { ...variables, body: 'Something else' }, ana.accessToken)),
    ).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('refusals store nothing', () => {
  it('refuses non-members, the banned, and hides an invite-only community', async () => {
    const start =
      (user: TestUser, id = communityId) =>
      () =>
        api.gql(START, { communityId: id, title: 'Hi', body: 'Hello' }, user.accessToken);
    expect(await refused(start(stranger))).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    expect(await refused(start(banned))).toEqual(['FORBIDDEN/BANNED']);
    expect(await refused(start(stranger, hiddenCommunityId))).toEqual(['NOT_FOUND/COMMUNITY_NOT_FOUND']);
    const thread = await startThread(ana);
    expect(
      await refused(() => api.gql(REPLY, { parentId: thread.id, body: 'hi' }, stranger.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    expect(
      await refused(() => api.gql(REPLY, { parentId: thread.id, body: 'hi' }, banned.accessToken)),
    ).toEqual(['FORBIDDEN/BANNED']);
    expect(errorCodes(await api.gql(THREAD, { id: thread.id }, stranger.accessToken))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    expect(errorCodes(await api.gql(THREADS, { id: communityId }, stranger.accessToken))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    expect(
      await refused(() => api.gql(REPLY, { parentId: randomUUID(), body: 'hi' }, ana.accessToken)),
    ).toEqual(['NOT_FOUND/POST_NOT_FOUND']);
  });

  it('refuses a post inside a hidden community as if it did not exist', async () => {
    const hiddenOwner = await registerAndSignIn(api, 'Hidden owner');
    const hidden = (await createCommunity(api, hiddenOwner, { visibility: 'INVITE_ONLY' })).id;
    const thread = await startThread(hiddenOwner, 'Secret', 'Members only', hidden);
    expect(
      await refused(() => api.gql(REPLY, { parentId: thread.id, body: 'hi' }, stranger.accessToken)),
    ).toEqual(['NOT_FOUND/POST_NOT_FOUND']);
    expect(errorCodes(await api.gql(THREAD, { id: thread.id }, stranger.accessToken))).toEqual([
      'NOT_FOUND/THREAD_NOT_FOUND',
    ]);
  });

  it('refuses a moderator of another community', async () => {
    const thread = await startThread(ana);
    const answer = await reply(ben, thread.id);
    expect(
      await refused(() => api.gql(REMOVE, { postId: answer.id, reason: 'rude' }, otherModerator.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
    expect(await refused(() => api.gql(PIN, { threadId: thread.id }, otherModerator.accessToken))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    expect(
      await refused(() => api.gql(REMOVE, { postId: answer.id, reason: 'rude' }, mentor.accessToken)),
    ).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
  });

  it('refuses words over the limits, an empty title, and a reply deeper than the limit', async () => {
    const start = (title: string, body: string) => () =>
      api.gql(START, { communityId, title, body }, ana.accessToken);
    expect(await refused(start('x'.repeat(MAX_TITLE_LENGTH + 1), 'body'))).toEqual([
      'VALIDATION/TITLE_TOO_LONG',
    ]);
    expect(await refused(start('   ', 'body'))).toEqual(['VALIDATION/TITLE_REQUIRED']);
    expect(await refused(start('Title', 'x'.repeat(10_001)))).toEqual(['VALIDATION/BODY_TOO_LONG']);

    const thread = await startThread(ana);
    let parentId = thread.id;
    for (let depth = 1; depth <= MAX_REPLY_DEPTH; depth += 1) {
      parentId = (await reply(depth % 2 === 0 ? ana : ben, parentId, `level ${depth}`)).id;
    }
    expect(await refused(() => api.gql(REPLY, { parentId, body: 'too deep' }, ana.accessToken))).toEqual([
      'VALIDATION/TOO_DEEP',
    ]);
  });

  it('refuses replies in a removed or deleted thread', async () => {
    const removed = await startThread(ana);
    const answer = await reply(ben, removed.id);
    fieldOf(
      await api.gql(REMOVE, { postId: removed.id, reason: 'Off topic' }, moderator.accessToken),
      'removeCommunityPost',
    );
    expect(
      await refused(() => api.gql(REPLY, { parentId: removed.id, body: 'hi' }, ben.accessToken)),
    ).toEqual(['CONFLICT/THREAD_REMOVED']);
    expect(await refused(() => api.gql(REPLY, { parentId: answer.id, body: 'hi' }, ana.accessToken))).toEqual(
      ['CONFLICT/THREAD_REMOVED'],
    );
    const deleted = await startThread(ana);
    fieldOf(await api.gql(DELETE, { postId: deleted.id }, ana.accessToken), 'deleteCommunityPost');
    expect(
      await refused(() => api.gql(REPLY, { parentId: deleted.id, body: 'hi' }, ben.accessToken)),
    ).toEqual(['CONFLICT/THREAD_DELETED']);
  });
});

describe('moderation', () => {
  it('shows a removed post as removed, with its reason to moderators only', async () => {
    const thread = await startThread(ana);
    const answer = await reply(ben, thread.id, 'Buy cheap pills');
    expect(
      await refused(() => api.gql(REMOVE, { postId: answer.id, reason: ' ' }, moderator.accessToken)),
    ).toEqual(['VALIDATION/REASON_REQUIRED']);
    const removed = fieldOf<PostView>(
      await api.gql(REMOVE, { postId: answer.id, reason: 'Spam' }, moderator.accessToken),
      'removeCommunityPost',
    );
    expect(removed).toMatchObject({
      status: 'REMOVED',
      body: null,
      removal: { reason: 'Spam', removedBy: moderator.id },
    });

    const asOwner = (await threadAs(owner, thread.id)).replies.nodes[0];
    expect(asOwner).toMatchObject({ status: 'REMOVED', body: null, removal: { reason: 'Spam' } });
    for (const reader of [ben, ana, mentor]) {
      const seen = (await threadAs(reader, thread.id)).replies.nodes[0];
      expect(seen).toMatchObject({ id: answer.id, status: 'REMOVED', body: null, removal: null });
    }
    // Removing again changes nothing; the author cannot edit it back.
    const head = await headPosition();
    fieldOf(
      await api.gql(REMOVE, { postId: answer.id, reason: 'Spam' }, owner.accessToken),
      'removeCommunityPost',
    );
    expect(await headPosition()).toBe(head);
    expect(await refused(() => api.gql(EDIT, { postId: answer.id, body: 'back' }, ben.accessToken))).toEqual([
      'CONFLICT/POST_REMOVED',
    ]);
  });

  it('lists pinned threads first, page by page', async () => {
    const pageOwner = await registerAndSignIn(api, 'Page owner');
    const paged = (await createCommunity(api, pageOwner, { visibility: 'PUBLIC' })).id;
    const threads: PostView[] = [];
    for (let i = 0; i < 5; i += 1) threads.push(await startThread(pageOwner, `Thread ${i}`, 'body', paged));
    const [t0, t1, t2, t3, t4] = threads.map((t) => t.id);
    expect(
      fieldOf<PostView>(await api.gql(PIN, { threadId: t1 }, pageOwner.accessToken), 'pinCommunityThread')
        .pinned,
    ).toBe(true);
    fieldOf(await api.gql(PIN, { threadId: t3 }, pageOwner.accessToken), 'pinCommunityThread');
    fieldOf(await api.gql(PIN, { threadId: t0 }, pageOwner.accessToken), 'pinCommunityThread');
    fieldOf(await api.gql(UNPIN, { threadId: t0 }, pageOwner.accessToken), 'unpinCommunityThread');

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const community: { threads: Page<{ id: string }> } = fieldOf<{ threads: Page<{ id: string }> }>(
        await api.gql(THREADS, { id: paged, first: 2, after }, pageOwner.accessToken),
        'community',
      );
      seen.push(...community.threads.nodes.map((n) => n.id));
      after = community.threads.pageInfo.hasNextPage ? community.threads.pageInfo.endCursor : null;
    } while (after !== null);
    // The latest pin on top, then the newest threads.
    expect(seen).toEqual([t3, t1, t4, t2, t0]);
    expect(await refused(() => api.gql(PIN, { threadId: t2 }, ana.accessToken))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
  });

  it('pages a thread’s replies oldest first', async () => {
    const thread = await startThread(ana);
    const replies: string[] = [];
    for (let i = 0; i < 5; i += 1) replies.push((await reply(i % 2 ? ana : ben, thread.id, `r${i}`)).id);
    const first = (await threadAs(ana, thread.id, { first: 3 })).replies;
    expect(first.nodes.map((r) => r.id)).toEqual(replies.slice(0, 3));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await threadAs(ana, thread.id, { first: 3, after: first.pageInfo.endCursor })).replies;
    expect(second.nodes.map((r) => r.id)).toEqual(replies.slice(3));
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(errorCodes(await api.gql(THREAD, { id: thread.id, first: 101 }, ana.accessToken))).toEqual([
      expect.stringMatching(/^VALIDATION/),
    ]);
  });

  it('marks a reply helpful once: mentors, moderators and the thread’s author, never the reply’s author', async () => {
    const thread = await startThread(ana);
    const answer = await reply(ben, thread.id);
    expect(await refused(() => api.gql(HELPFUL, { postId: answer.id }, ben.accessToken))).toEqual([
      'FORBIDDEN/OWN_POST',
    ]);
    const other = await registerAndSignIn(api, 'Other member');
    await addMember(api, owner, communityId, other);
    expect(await refused(() => api.gql(HELPFUL, { postId: answer.id }, other.accessToken))).toEqual([
      'FORBIDDEN/MISSING_PERMISSION',
    ]);
    expect(await refused(() => api.gql(HELPFUL, { postId: thread.id }, mentor.accessToken))).toEqual([
      'VALIDATION/NOT_A_REPLY',
    ]);
    const marked = fieldOf<PostView>(
      await api.gql(HELPFUL, { postId: answer.id }, ana.accessToken),
      'markCommunityPostHelpful',
    );
    expect(marked.helpful).toBe(true);
    const head = await headPosition();
    fieldOf(await api.gql(HELPFUL, { postId: answer.id }, mentor.accessToken), 'markCommunityPostHelpful');
    expect(await headPosition()).toBe(head);
  });
});

describe('a forgotten author', () => {
  it('leaves their posts in place without words, at once', async () => {
    const leaving = await registerAndSignIn(api, 'Leaving');
    await addMember(api, owner, communityId, leaving);
    const thread = await startThread(leaving, 'My question', 'Words to forget');
    const answer = await reply(leaving, thread.id, 'More words to forget');
    await reply(ana, thread.id, 'Ana stays');
    const receipt = fieldOf<{ position: string }>(
      await api.gql('mutation { forgetUser { userId position } }', {}, leaving.accessToken),
      'forgetUser',
    );
    const { pool, bus } = api.runtime;
    expect(
      await waitForPosition(pool, bus, BigInt(receipt.position), {
        timeoutMs: 5_000,
        projections: ['users'],
      }),
    ).toBe(true);
    const read = await threadAs(ana, thread.id);
    expect(read).toMatchObject({ title: null, body: null, status: 'ACTIVE', authorId: leaving.id });
    expect(read.replies.nodes.map((r) => [r.id === answer.id, r.body])).toEqual([
      [true, null],
      [false, 'Ana stays'],
    ]);
  });
});

describe('community id on every event', () => {
  it('writes the community into the metadata of every post event', async () => {
    const thread = await startThread(ana);
    const answer = await reply(ben, thread.id);
    fieldOf(await api.gql(PIN, { threadId: thread.id }, moderator.accessToken), 'pinCommunityThread');
    const stored = [
      ...(await api.runtime.store.readStream(communityPostStream(thread.id))),
      ...(await api.runtime.store.readStream(communityPostStream(answer.id))),
    ];
    expect(stored.map((event) => event.type)).toEqual([
      'CommunityThreadStarted',
      'CommunityThreadPinned',
      'CommunityReplyPosted',
    ]);
    for (const event of stored) expect(event.metadata.communityId).toBe(communityId);
    expect(otherCommunityId).not.toBe(communityId);
  });
});
