import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';

const UPDATE = 'mutation ($bio: String) { updateProfile(input: { bio: $bio }) { bio } }';

describe('read-your-writes', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp({ readYourWritesTimeoutMs: 300 });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers a mutation with the object as the read models show its own change', async () => {
    const user = await registerAndSignIn(api);
    const response = await api.gql(UPDATE, { bio: 'fresh' }, user.accessToken);
    expect(response).toEqual({ data: { updateProfile: { bio: 'fresh' } } });
  });

  it('says so when the read models did not catch up in time, rather than looking up to date', async () => {
    const user = await registerAndSignIn(api);
    await api.stopProjector();
    const response = await api.gql(UPDATE, { bio: 'not yet visible' }, user.accessToken);
    expect(response.data).toEqual({ updateProfile: { bio: null } });
    expect(response).toMatchObject({
      extensions: { readYourWrites: { reached: false, position: expect.stringMatching(/^\d+$/) } },
    });
  });

  it('answers a sign-up the read models have not caught up with from the stored account, not NOT_FOUND', async () => {
    // Stopped by the test before; a new sign-up is stored but the users read model does not move.
    await api.stopProjector();
    const email = `late-${Date.now()}@example.org`;
    const response = await api.gql(
      'mutation ($input: RegisterInput!) { register(input: $input) { id email displayName status role } }',
      { input: { email, password: 'correct horse battery staple', displayName: 'Late Reader' } },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      register: {
        id: expect.any(String),
        email,
        displayName: 'Late Reader',
        status: 'active',
        role: 'user',
      },
    });
    expect(response).toMatchObject({ extensions: { readYourWrites: { reached: false } } });
  });
});
