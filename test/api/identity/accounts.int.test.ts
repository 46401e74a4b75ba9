import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { updateProfile } from '../../../src/services/identity/account.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  freshEmail,
  identityDeps,
  LOGIN,
  ME,
  makeAdmin,
  PASSWORD,
  REGISTER,
  registerAndSignIn,
  registerUser,
} from '../support/identity-operations.ts';

describe('accounts', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  const headPosition = async () =>
    (await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position;

  it('registers a user with the role `user` and shows it at once (read-your-writes)', async () => {
    const email = freshEmail();
    const response = await api.gql(REGISTER, { input: { email, password: PASSWORD, displayName: 'Ada' } });
    expect(response.errors).toBeUndefined();
    expect(response.data?.register).toMatchObject({
      email,
      displayName: 'Ada',
      role: 'user',
      status: 'active',
    });
  });

  it('treats e-mail addresses case-insensitively', async () => {
    const email = freshEmail();
    await registerUser(api, email);
    const again = await api.gql(REGISTER, {
      input: { email: email.toUpperCase(), password: PASSWORD, displayName: 'Copy' },
    });
    expect(errorCodes(again)).toEqual(['CONFLICT/EMAIL_TAKEN']);
    const login = await api.gql(LOGIN, { input: { email: ` ${email.toUpperCase()} `, password: PASSWORD } });
    expect(login.errors).toBeUndefined();
  });

  it('lets exactly one of two racing registrations of the same address win', async () => {
    for (let round = 0; round < 5; round++) {
      const email = freshEmail();
      const [a, b] = await Promise.all(
        ['First', 'Second'].map((displayName) =>
          api.gql(REGISTER, { input: { email, password: PASSWORD, displayName } }),
        ),
      );
      const outcomes = [a, b].map((r) => (r?.errors ? errorCodes(r).join() : 'ok')).sort();
      expect(outcomes).toEqual(['CONFLICT/EMAIL_TAKEN', 'ok']);
      const winner = a?.errors ? b : a;
      const login = await api.gql(LOGIN, { input: { email, password: PASSWORD } });
      const winnerId = winner ? fieldOf<{ id: string }>(winner, 'register').id : undefined;
      expect(fieldOf<{ user: { id: string } }>(login, 'login').user.id).toBe(winnerId);
    }
  });

  it('appends nothing twice for a retried registration with the same idempotency key', async () => {
    const input = {
      email: freshEmail(),
      password: PASSWORD,
      displayName: 'Once',
      idempotencyKey: randomUUID(),
    };
    const first = await api.gql(REGISTER, { input });
    const head = await headPosition();
    const retry = await api.gql(REGISTER, { input });
    expect(retry.errors).toBeUndefined();
    expect(fieldOf<{ id: string }>(retry, 'register').id).toBe(fieldOf<{ id: string }>(first, 'register').id);
    expect(await headPosition()).toBe(head);
  });

  it('replays a retried password change with the same idempotency key instead of failing it', async () => {
    const user = await registerAndSignIn(api);
    const CHANGE = `mutation ($c: String!, $n: String!, $k: String) {
      changePassword(currentPassword: $c, newPassword: $n, idempotencyKey: $k) }`;
    const variables = { c: PASSWORD, n: 'the next password', k: randomUUID() };
    expect((await api.gql(CHANGE, variables, user.accessToken)).data).toEqual({ changePassword: true });
    const head = await headPosition();
    // The retry's "current password" is no longer current, but the command was already done.
    expect((await api.gql(CHANGE, variables, user.accessToken)).data).toEqual({ changePassword: true });
    expect(await headPosition()).toBe(head);
  });

  it('rejects bad registrations with VALIDATION and writes nothing', async () => {
    const head = await headPosition();
    const malformed = await api.gql(REGISTER, {
      input: { email: 'not-an-email', password: PASSWORD, displayName: 'X' },
    });
    const short = await api.gql(REGISTER, {
      input: { email: freshEmail(), password: 'short', displayName: 'X' },
    });
    const blank = await api.gql(REGISTER, {
      input: { email: freshEmail(), password: PASSWORD, displayName: '  ' },
    });
    expect(errorCodes(malformed)).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(malformed.errors?.[0]?.extensions?.issues).toEqual([
      { path: ['email'], message: expect.any(String) },
    ]);
    expect(errorCodes(short)).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(errorCodes(blank)).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(await headPosition()).toBe(head);
  });

  it('updates the profile and changes the password', async () => {
    const user = await registerAndSignIn(api);
    const update = await api.gql(
      'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName bio } }',
      { input: { displayName: 'Ada King', bio: 'Countess of Lovelace' } },
      user.accessToken,
    );
    expect(update.data?.updateProfile).toEqual({ displayName: 'Ada King', bio: 'Countess of Lovelace' });

    const CHANGE =
      'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
    const wrong = await api.gql(
      CHANGE,
      { c: 'not my password', n: 'a brand new password' },
      user.accessToken,
    );
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED/WRONG_PASSWORD']);
    const tooShort = await api.gql(CHANGE, { c: PASSWORD, n: 'short' }, user.accessToken);
    expect(errorCodes(tooShort)).toEqual(['VALIDATION/INVALID_INPUT']);
    const changed = await api.gql(CHANGE, { c: PASSWORD, n: 'a brand new password' }, user.accessToken);
    expect(changed.data).toEqual({ changePassword: true });
    const oldLogin = await api.gql(LOGIN, { input: { email: user.email, password: PASSWORD } });
    expect(errorCodes(oldLogin)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
    const newLogin = await api.gql(LOGIN, { input: { email: user.email, password: 'a brand new password' } });
    expect(newLogin.errors).toBeUndefined();
  });

  it('keeps the device time of a profile change from offline sync; GraphQL takes none', async () => {
    const user = await registerAndSignIn(api);
    const UPDATE = 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { bio } }';
    const online = await api.gql(UPDATE, { input: { bio: 'Online' } }, user.accessToken);
    expect(online.data?.updateProfile).toEqual({ bio: 'Online' });
    const withTime = await api.gql(
      UPDATE,
      { input: { bio: 'Sneaked', clientTime: '2026-12-03T21:15:00-03:00' } },
      user.accessToken,
    );
    expect(errorCodes(withTime)).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    // Offline sync calls the use case itself, as the user whose device it is.
    const context = {
      actor: { kind: 'user' as const, userId: user.id, role: 'user' as const },
      correlationId: randomUUID(),
    };
    await updateProfile(identityDeps(api), context, {
      bio: 'Offline',
      clientTime: '2026-12-03T21:15:00-03:00',
    });
    const refused = updateProfile(identityDeps(api), context, { bio: 'Offline', clientTime: 'yesterday' });
    await expect(refused).rejects.toThrow(/clientTime/);

    const changes = (await readStreamOrEmpty(api.runtime.store, userStream(user.id)))
      .filter((event) => event.type === 'UserProfileChanged')
      .map((event) => event.data as { clientTime?: string });
    expect(changes.map((data) => data.clientTime)).toEqual([undefined, '2026-12-03T21:15:00-03:00']);
    // The users read model takes the change as any other (these deps do not wait for it).
    let bio = '';
    for (const started = Date.now(); bio !== 'Offline' && Date.now() - started < 5_000; ) {
      bio = fieldOf<{ bio: string }>(await api.gql(ME, {}, user.accessToken), 'me').bio;
    }
    expect(bio).toBe('Offline');
  });

  it('lets only admins set roles and list users, and applies a new role to live tokens', async () => {
    const admin = await makeAdmin(api);
    const user = await registerAndSignIn(api);
    const SET_ROLE = 'mutation ($id: ID!, $role: Role!) { setRole(userId: $id, role: $role) { id role } }';

    expect(errorCodes(await api.gql(SET_ROLE, { id: user.id, role: 'admin' }, user.accessToken))).toEqual([
      'FORBIDDEN/ADMIN_ONLY',
    ]);
    const unknownRole = await api.gql(SET_ROLE, { id: user.id, role: 'overlord' }, admin.accessToken);
    expect(errorCodes(unknownRole)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const promoted = await api.gql(SET_ROLE, { id: user.id, role: 'creator' }, admin.accessToken);
    expect(promoted.data?.setRole).toEqual({ id: user.id, role: 'creator' });
    expect((await api.gql(ME, {}, user.accessToken)).data?.me).toMatchObject({ role: 'creator' });

    const USERS = `query ($filter: UserFilter, $page: PageInput) {
      users(filter: $filter, page: $page) { totalCount nodes { id email role } pageInfo { endCursor hasNextPage } }
    }`;
    expect(errorCodes(await api.gql(USERS, {}, user.accessToken))).toEqual(['FORBIDDEN/ADMIN_ONLY']);
    const creators = await api.gql(USERS, { filter: { role: 'creator' } }, admin.accessToken);
    expect(creators.data?.users).toMatchObject({
      totalCount: 1,
      nodes: [{ id: user.id, email: user.email }],
    });
  });

  it('pages through users with a cursor and refuses a forged one', async () => {
    const admin = await makeAdmin(api);
    for (let i = 0; i < 5; i++) await registerUser(api);
    const PAGE = `query ($page: PageInput) { users(page: $page) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const response = await api.gql(
        PAGE,
        { page: { first: 3, ...(after ? { after } : {}) } },
        admin.accessToken,
      );
      const users = response.data?.users as {
        totalCount: number;
        nodes: { id: string }[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
      total = users.totalCount;
      seen.push(...users.nodes.map((n) => n.id));
      after = users.pageInfo.hasNextPage ? users.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(total);
    expect(errorCodes(await api.gql(PAGE, { page: { after: 'forged' } }, admin.accessToken))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
    expect(errorCodes(await api.gql(PAGE, { page: { first: 1000 } }, admin.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
  });

  it('hides other users` e-mail addresses from non-admins', async () => {
    const viewer = await registerAndSignIn(api);
    const other = await registerUser(api);
    const response = await api.gql(
      'query ($id: ID!) { user(id: $id) { id email } }',
      { id: other.id },
      viewer.accessToken,
    );
    expect(response.data?.user).toEqual({ id: other.id, email: null });
  });

  it('requires a signed-in caller for `me` and refuses deactivated accounts', async () => {
    expect(errorCodes(await api.gql(ME))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    const user = await registerAndSignIn(api);
    const deactivate = await api.gql(
      'mutation ($id: ID!) { deactivateUser(userId: $id) { status } }',
      { id: user.id },
      user.accessToken,
    );
    expect(deactivate.data?.deactivateUser).toEqual({ status: 'deactivated' });
    expect(errorCodes(await api.gql(ME, {}, user.accessToken))).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    const login = await api.gql(LOGIN, { input: { email: user.email, password: PASSWORD } });
    expect(errorCodes(login)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
  });
});
