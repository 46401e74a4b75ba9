import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, signIn, type TestUser } from '../support/identity-operations.ts';

const CREATE_KEY = `mutation ($name: String!) { createApiKey(name: $name, scopes: [GRAPHQL_READ]) { key } }`;
const USERS_WITH_KEYS = `query ($first: Int!) {
  users(page: { first: $first }) {
    totalCount
    edges { cursor node { id apiKeys(first: 5) { totalCount nodes { id owner { id } } } } }
  }
}`;

interface UsersWithKeys {
  totalCount: number;
  edges: {
    node: { id: string; apiKeys: { totalCount: number; nodes: { owner: { id: string } }[] } | null };
  }[];
}

interface SessionPage {
  totalCount: number;
  edges: { node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

describe('nested fields are loaded in batches (no N+1)', () => {
  let api: IdentityApp;
  let admin: TestUser;
  beforeAll(async () => {
    api = await startIdentityApp();
    admin = await makeAdmin(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Every statement the API's pool runs while `work` runs. */
  async function countStatements(work: () => Promise<unknown>): Promise<number> {
    const pool = api.runtime.pool;
    const original = pool.query.bind(pool);
    let count = 0;
    pool.query = ((...args: Parameters<typeof original>) => {
      count++;
      return original(...args);
    }) as typeof pool.query;
    try {
      await work();
    } finally {
      pool.query = original;
    }
    return count;
  }

  async function addUsersWithKeys(users: number, keysEach: number) {
    for (let u = 0; u < users; u++) {
      const user = await registerAndSignIn(api);
      for (let k = 0; k < keysEach; k++) await api.gql(CREATE_KEY, { name: `key ${k}` }, user.accessToken);
    }
  }

  it('costs the same number of statements for 3 users as for 12', async () => {
    await addUsersWithKeys(3, 2);
    let small: UsersWithKeys | undefined;
    const few = await countStatements(async () => {
      small = fieldOf<UsersWithKeys>(
        await api.gql(USERS_WITH_KEYS, { first: 20 }, admin.accessToken),
        'users',
      );
    });
    await addUsersWithKeys(9, 2);
    let large: UsersWithKeys | undefined;
    const many = await countStatements(async () => {
      large = fieldOf<UsersWithKeys>(
        await api.gql(USERS_WITH_KEYS, { first: 20 }, admin.accessToken),
        'users',
      );
    });
    expect(large?.totalCount).toBe((small?.totalCount ?? 0) + 9);
    // Counted on the pool the API really uses (zero would prove nothing), and no more for more rows.
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
    // Each user with keys shows them, each key names its owner.
    const withKeys = large?.edges.filter((e) => (e.node.apiKeys?.totalCount ?? 0) > 0) ?? [];
    expect(withKeys).toHaveLength(12);
    for (const { node } of withKeys) {
      expect(node.apiKeys?.nodes.map((k) => k.owner.id)).toEqual([node.id, node.id]);
    }
  });

  it('shows a user`s keys only to that user and admins', async () => {
    const owner = await registerAndSignIn(api);
    await api.gql(CREATE_KEY, { name: 'private' }, owner.accessToken);
    const stranger = await registerAndSignIn(api);
    const QUERY = `query ($id: ID!) { user(id: $id) { apiKeys { totalCount } } }`;
    const asStranger = await api.gql(QUERY, { id: owner.id }, stranger.accessToken);
    const asOwner = await api.gql(QUERY, { id: owner.id }, owner.accessToken);
    expect(fieldOf<{ apiKeys: unknown }>(asStranger, 'user').apiKeys).toBeNull();
    expect(fieldOf<{ apiKeys: unknown }>(asOwner, 'user').apiKeys).toEqual({ totalCount: 1 });
  });

  it('pages through sessions with cursors, newest first', async () => {
    const user = await registerAndSignIn(api);
    for (let i = 0; i < 4; i++) await signIn(api, user.email);
    const PAGE = `query ($after: String) { sessions(page: { first: 2, after: $after }) {
      totalCount edges { cursor node { id startedAt } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response = await api.gql(PAGE, { after }, user.accessToken);
      const page: SessionPage = fieldOf<SessionPage>(response, 'sessions');
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });
});
