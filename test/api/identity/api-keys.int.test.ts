import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { ME, registerAndSignIn } from '../support/identity-operations.ts';

const CREATE = `mutation ($name: String!, $scopes: [ApiScope!]!) {
  createApiKey(name: $name, scopes: $scopes) { key apiKey { id name scopes prefix revokedAt } }
}`;
const UPDATE_PROFILE = `mutation { updateProfile(input: { bio: "written by a script" }) { bio } }`;

describe('API keys for integrators', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function createKey(accessToken: string, scopes: string[]) {
    const response = await api.gql(CREATE, { name: 'nightly export', scopes }, accessToken);
    expect(response.errors).toBeUndefined();
    return response.data?.createApiKey as {
      key: string;
      apiKey: { id: string; prefix: string; scopes: string[] };
    };
  }

  it('shows the key once and lists it afterwards by prefix only', async () => {
    const user = await registerAndSignIn(api);
    const created = await createKey(user.accessToken, ['GRAPHQL_READ', 'EVENTS_READ']);
    expect(created.key.startsWith(created.apiKey.prefix)).toBe(true);
    expect(created.apiKey.scopes.sort()).toEqual(['EVENTS_READ', 'GRAPHQL_READ']);
    const listed = await api.gql('{ apiKeys { nodes { id name prefix scopes } } }', {}, user.accessToken);
    expect(JSON.stringify(listed.data)).not.toContain(created.key);
    expect(fieldOf<{ nodes: unknown[] }>(listed, 'apiKeys').nodes).toEqual([
      {
        id: created.apiKey.id,
        name: 'nightly export',
        prefix: created.apiKey.prefix,
        scopes: expect.any(Array),
      },
    ]);
  });

  it('reads with graphql:read but may not write without graphql:write', async () => {
    const user = await registerAndSignIn(api);
    const readOnly = await createKey(user.accessToken, ['GRAPHQL_READ']);
    expect((await api.gql(ME, {}, readOnly.key)).data?.me).toMatchObject({ id: user.id });
    expect(errorCodes(await api.gql(UPDATE_PROFILE, {}, readOnly.key))).toEqual(['FORBIDDEN/MISSING_SCOPE']);

    const writer = await createKey(user.accessToken, ['GRAPHQL_WRITE']);
    const written = await api.gql(UPDATE_PROFILE, {}, writer.key);
    expect(written.errors).toBeUndefined();
    expect(written.data).toEqual({
      updateProfile: { bio: 'written by a script' },
    });
    expect(errorCodes(await api.gql(ME, {}, writer.key))).toEqual(['FORBIDDEN/MISSING_SCOPE']);
  });

  it('cannot mint more keys or take over the account', async () => {
    const user = await registerAndSignIn(api);
    const key = await createKey(user.accessToken, ['GRAPHQL_READ', 'GRAPHQL_WRITE']);
    const mint = await api.gql(CREATE, { name: 'more', scopes: ['GRAPHQL_WRITE'] }, key.key);
    expect(errorCodes(mint)).toEqual(['FORBIDDEN/SIGN_IN_REQUIRED']);
    const forget = await api.gql('mutation { forgetUser { userId } }', {}, key.key);
    expect(errorCodes(forget)).toEqual(['FORBIDDEN/NOT_OWNER']);
  });

  it('stops working once revoked, and a tampered key never works', async () => {
    const user = await registerAndSignIn(api);
    const key = await createKey(user.accessToken, ['GRAPHQL_READ']);
    const tampered = `${key.key.slice(0, -2)}${key.key.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(errorCodes(await api.gql(ME, {}, tampered))).toEqual(['UNAUTHENTICATED/INVALID_API_KEY']);
    const revoke = await api.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: key.apiKey.id },
      user.accessToken,
    );
    expect(fieldOf<{ revokedAt: string | null }>(revoke, 'revokeApiKey').revokedAt).not.toBeNull();
    expect(errorCodes(await api.gql(ME, {}, key.key))).toEqual(['UNAUTHENTICATED/API_KEY_REVOKED']);
  });

  it('refuses unknown scopes and other people`s keys', async () => {
    const owner = await registerAndSignIn(api);
    const stranger = await registerAndSignIn(api);
    const bad = await api.gql(CREATE, { name: 'x', scopes: ['EVERYTHING'] }, owner.accessToken);
    expect(errorCodes(bad)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const none = await api.gql(CREATE, { name: 'x', scopes: [] }, owner.accessToken);
    expect(errorCodes(none)).toEqual(['VALIDATION/INVALID_INPUT']);
    const key = await createKey(owner.accessToken, ['GRAPHQL_READ']);
    const revoke = await api.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: key.apiKey.id },
      stranger.accessToken,
    );
    expect(errorCodes(revoke)).toEqual(['FORBIDDEN/NOT_OWNER']);
  });
});
