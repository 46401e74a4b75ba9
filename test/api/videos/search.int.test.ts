import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createPost, DELETE_POST, mediaAsset, SEARCH } from './support.ts';

let api: IdentityApp;
let alice: TestUser;
let bob: TestUser;
let deletedId: string;
beforeAll(async () => {
  api = await startIdentityApp();
  alice = await registerAndSignIn(api, 'Alice');
  bob = await registerAndSignIn(api, 'Bob');
  const post = async (
    user: TestUser,
    input: { title: string; description?: string; tags?: string[]; visibility?: string },
  ) => createPost(api, user.accessToken, { assetId: await mediaAsset(api, user.id), ...input });
  await post(alice, { title: 'Kickflip tutorial', description: 'Learn the basics step by step.' });
  await post(alice, { title: 'Evening session', description: 'Landed my first kickflip on the ramp.' });
  await post(alice, { title: 'River edit', description: 'Chill lines.', tags: ['Kickflips'] });
  await post(alice, { title: 'Secret kickflip', visibility: 'private' });
  await post(alice, { title: 'Unlisted kickflip', visibility: 'unlisted' });
  await post(bob, { title: 'Bob kickflip draft', visibility: 'private' });
  await post(bob, { title: 'Cooking pasta', description: 'Nothing to do with skating.' });
  deletedId = (await post(bob, { title: 'Deleted kickflip' })).id;
  fieldOf(await api.gql(DELETE_POST, { id: deletedId }, bob.accessToken), 'deleteVideoPost');
});
afterAll(async () => {
  await api?.close();
});

interface Results {
  totalCount: number;
  edges: {
    cursor: string;
    rank: number;
    headline: string;
    node: { id: string; title: string; visibility: string };
  }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const search = async (query: string, token?: string, page?: { first?: number; after?: string | null }) =>
  fieldOf<Results>(await api.gql(SEARCH, { query, ...(page ? { page } : {}) }, token), 'searchVideos');

const titles = (results: Results) => results.edges.map((edge) => edge.node.title);

describe('searchVideos', () => {
  it('ranks title and tag matches above description matches, stemming words', async () => {
    const results = await search('kickflips');
    expect(titles(results).slice(0, 2).sort()).toEqual(['Kickflip tutorial', 'River edit']);
    expect(titles(results)[2]).toBe('Evening session');
    expect(results.edges[1]?.rank).toBeGreaterThan(results.edges[2]?.rank ?? 0);
    expect(results.edges.find((edge) => edge.node.title === 'Evening session')?.headline).toContain(
      '«kickflip»',
    );
  });

  it('shows strangers and anonymous callers public posts only', async () => {
    const carol = await registerAndSignIn(api, 'Carol');
    for (const token of [undefined, carol.accessToken]) {
      const results = await search('kickflip', token);
      expect(titles(results).sort()).toEqual(['Evening session', 'Kickflip tutorial', 'River edit']);
      expect(results.totalCount).toBe(3);
    }
  });

  it('adds the caller’s own posts, whatever their visibility, but never others’ private ones', async () => {
    const mine = titles(await search('kickflip', alice.accessToken));
    expect(mine).toHaveLength(5);
    expect(mine).toEqual(expect.arrayContaining(['Secret kickflip', 'Unlisted kickflip']));
    expect(mine).not.toContain('Bob kickflip draft');
    const bobs = titles(await search('kickflip', bob.accessToken));
    expect(bobs).toContain('Bob kickflip draft');
    expect(bobs).not.toContain('Secret kickflip');
  });

  it('leaves deleted posts out', async () => {
    const results = await search('deleted', bob.accessToken);
    expect(results.edges.map((edge) => edge.node.id)).not.toContain(deletedId);
    expect(results.totalCount).toBe(0);
  });

  it('supports web-search syntax: a quoted phrase and an excluded word', async () => {
    expect(titles(await search('"first kickflip"'))).toEqual(['Evening session']);
    expect(titles(await search('kickflip -tutorial')).sort()).toEqual(['Evening session', 'River edit']);
  });

  it('pages through the ranking without skipping or repeating', async () => {
    const whole = titles(await search('kickflip', alice.accessToken));
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const results: Results = await search('kickflip', alice.accessToken, { first: 2, after });
      paged.push(...titles(results));
      expect(results.totalCount).toBe(whole.length);
      if (!results.pageInfo.hasNextPage) break;
      after = results.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
  });

  it('refuses an empty or oversized query, and a forged cursor, with VALIDATION', async () => {
    expect(errorCodes(await api.gql(SEARCH, { query: '  ' }))).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(errorCodes(await api.gql(SEARCH, { query: 'x'.repeat(201) }))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
    const forged = Buffer.from(JSON.stringify(['NaN', 'x', 'y'])).toString('base64url');
    expect(errorCodes(await api.gql(SEARCH, { query: 'kickflip', page: { after: forged } }))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
  });
});
