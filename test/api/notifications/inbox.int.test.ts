import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationView } from '../../../src/api/notifications/notification-mappers.ts';
import { FOLLOW } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

/**
 * The inbox API over notifications raised by real actions (follows): pages, the unread count,
 * read marks, and what a caller may not learn about anyone else's notifications.
 */
const NOTIFICATION_FIELDS = `id type title body path actors { id displayName } actorCount subjectKind subjectId
  read readAt createdAt updatedAt`;
const INBOX = `query ($first: Int, $after: String, $unreadOnly: Boolean) {
  myNotifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    nodes { ${NOTIFICATION_FIELDS} } pageInfo { hasNextPage endCursor } } }`;
const UNREAD = '{ unreadNotificationCount }';
const MARK = 'mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }';
const MARK_ALL = 'mutation { markAllNotificationsRead }';

interface Page {
  nodes: NotificationView[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const inbox = async (user: TestUser, variables: Record<string, unknown> = {}) =>
  fieldOf<Page>(await api.gql(INBOX, variables, user.accessToken), 'myNotifications');
const unread = async (user: TestUser) =>
  fieldOf<number>(await api.gql(UNREAD, {}, user.accessToken), 'unreadNotificationCount');
const follow = async (follower: TestUser, followee: TestUser) =>
  fieldOf(await api.gql(FOLLOW, { userId: followee.id }, follower.accessToken), 'followUser');
/** The notifications read model runs behind the social graph's: wait for it to show `count` rows. */
const inboxOf = (user: TestUser, count: number) =>
  vi.waitFor(
    async () => {
      const page = await inbox(user, { first: 100 });
      expect(page.nodes).toHaveLength(count);
      return page;
    },
    { timeout: 10_000, interval: 50 },
  );

describe('the inbox', () => {
  let ada: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  beforeAll(async () => {
    [ada, bob, cy] = await Promise.all([
      registerAndSignIn(api, 'Ada'),
      registerAndSignIn(api, 'Bob'),
      registerAndSignIn(api, 'Cy'),
    ]);
  });

  it('shows a new follower, then folds the next one into the same unread group', async () => {
    await follow(bob, ada);
    const [first] = (await inboxOf(ada, 1)).nodes;
    expect(first).toMatchObject({
      type: 'NEW_FOLLOWER',
      actors: [{ id: bob.id, displayName: 'Bob' }],
      actorCount: 1,
      read: false,
      readAt: null,
    });
    expect(first?.body).toContain('Bob');
    expect(first?.path.startsWith('/')).toBe(true);
    expect(await unread(ada)).toBe(1);

    await follow(cy, ada);
    await vi.waitFor(async () => expect((await inbox(ada)).nodes[0]?.actorCount).toBe(2), {
      timeout: 10_000,
    });
    const [group] = (await inbox(ada)).nodes;
    expect(group?.id).toBe(first?.id);
    // Latest first; a group counts once.
    expect(group?.actors.map((a) => a.displayName)).toEqual(['Cy', 'Bob']);
    expect(group?.body).toContain('Cy');
    expect(await unread(ada)).toBe(1);
    // Nobody else hears of it.
    expect((await inbox(bob)).nodes).toEqual([]);
    expect(await unread(bob)).toBe(0);
  });

  it("ignores someone else's notification ids, and marks one's own read once", async () => {
    const [own] = (await inbox(ada)).nodes;
    if (!own) throw new Error('no notification');
    // Bob names Ada's notification: nothing happens, and nothing tells him it exists.
    expect(
      fieldOf<number>(await api.gql(MARK, { ids: [own.id] }, bob.accessToken), 'markNotificationsRead'),
    ).toBe(0);
    expect(
      fieldOf<number>(await api.gql(MARK, { ids: [randomUUID()] }, bob.accessToken), 'markNotificationsRead'),
    ).toBe(0);
    expect((await inbox(ada)).nodes[0]?.read).toBe(false);
    expect(await unread(ada)).toBe(1);

    expect(
      fieldOf<number>(
        await api.gql(MARK, { ids: [own.id.toUpperCase()] }, ada.accessToken),
        'markNotificationsRead',
      ),
    ).toBe(1);
    const [read] = (await inbox(ada)).nodes;
    expect(read?.read).toBe(true);
    expect(read?.readAt).not.toBeNull();
    expect(await unread(ada)).toBe(0);
    // Again: nothing left to mark.
    expect(
      fieldOf<number>(await api.gql(MARK, { ids: [own.id] }, ada.accessToken), 'markNotificationsRead'),
    ).toBe(0);
    expect((await inbox(ada, { unreadOnly: true })).nodes).toEqual([]);
  });

  it('refuses malformed ids and too many, changing nothing', async () => {
    expect(errorCodes(await api.gql(MARK, { ids: ['not-a-uuid'] }, ada.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
    const many = Array.from({ length: 101 }, () => randomUUID());
    expect(errorCodes(await api.gql(MARK, { ids: many }, ada.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
  });

  it('starts a new row after a group was read, and marks all read', async () => {
    const dee = await registerAndSignIn(api, 'Dee');
    await follow(dee, ada);
    const page = await inboxOf(ada, 2);
    expect(page.nodes.map((n) => [n.actorCount, n.read])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(await unread(ada)).toBe(1);
    expect(fieldOf<number>(await api.gql(MARK_ALL, {}, ada.accessToken), 'markAllNotificationsRead')).toBe(1);
    expect(await unread(ada)).toBe(0);
    expect((await inbox(ada)).nodes.every((n) => n.read)).toBe(true);
    expect(fieldOf<number>(await api.gql(MARK_ALL, {}, ada.accessToken), 'markAllNotificationsRead')).toBe(0);
  });
});

describe('pages', () => {
  it('walks the inbox newest first with cursors, each notification once', async () => {
    const eve = await registerAndSignIn(api, 'Eve');
    const followers = await Promise.all(
      ['F1', 'F2', 'F3', 'F4', 'F5'].map((name) => registerAndSignIn(api, name)),
    );
    // Each read before the next follow, so each follow makes its own row.
    for (const [index, follower] of followers.entries()) {
      await follow(follower, eve);
      await inboxOf(eve, index + 1);
      fieldOf(await api.gql(MARK_ALL, {}, eve.accessToken), 'markAllNotificationsRead');
    }
    const seen: NotificationView[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Page = await inbox(eve, { first: 2, after });
      seen.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after !== null);
    expect(pages).toBe(3);
    expect(seen.map((n) => n.actors[0]?.displayName)).toEqual(['F5', 'F4', 'F3', 'F2', 'F1']);
    expect(new Set(seen.map((n) => n.id)).size).toBe(5);
  });

  it('refuses pages over 100 and cursors it did not hand out', async () => {
    const user = await registerAndSignIn(api);
    expect(errorCodes(await api.gql(INBOX, { first: 101 }, user.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
    expect(errorCodes(await api.gql(INBOX, { after: 'bm90LWEtY3Vyc29y' }, user.accessToken))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
  });
});

describe('without signing in', () => {
  it('has no inbox', async () => {
    expect(errorCodes(await api.gql(INBOX))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(UNREAD))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(MARK_ALL))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });
});
