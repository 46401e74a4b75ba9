import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import type { IdentityDeps } from '../../../src/services/identity/context.ts';
import type { IdentityApp } from './identity-app.ts';

/** The GraphQL operations the identity tests use, in one place. */
export const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { id email displayName role status } }`;
export const LOGIN = `mutation ($input: LoginInput!) {
  login(input: $input) { user { id role } accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt }
}`;
export const REFRESH = `mutation ($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken } }`;
export const ME = `{ me { id email displayName bio role status totpEnabled } }`;

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export const freshEmail = () => `user-${randomUUID()}@example.org`;

export async function registerUser(api: IdentityApp, email = freshEmail(), displayName = 'Ada Lovelace') {
  const response = await api.gql(REGISTER, { input: { email, password: PASSWORD, displayName } });
  expect(response.errors).toBeUndefined();
  const user = response.data?.register as { id: string };
  return { id: user.id, email };
}

export async function signIn(api: IdentityApp, email: string, secondFactor?: string) {
  const response = await api.gql(LOGIN, {
    input: { email, password: PASSWORD, ...(secondFactor ? { secondFactor } : {}) },
  });
  expect(response.errors).toBeUndefined();
  return response.data?.login as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; role: string };
  };
}

export async function registerAndSignIn(api: IdentityApp, displayName?: string): Promise<TestUser> {
  const { id, email } = await registerUser(api, freshEmail(), displayName);
  const { accessToken, refreshToken } = await signIn(api, email);
  return { id, email, accessToken, refreshToken };
}

/** Admins are made by the system (an operator) or another admin; tests take the operator's path. */
export async function makeAdmin(api: IdentityApp): Promise<TestUser> {
  const user = await registerAndSignIn(api, 'Grace Admin');
  const result = await setRole(
    identityDeps(api),
    { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
    { userId: user.id, role: 'admin' },
  );
  if (result.position !== null) {
    await waitForPosition(api.runtime.pool, api.runtime.bus, result.position, { timeoutMs: 5000 });
  }
  return user;
}

export function identityDeps(api: IdentityApp): IdentityDeps {
  const { store, codec, keys } = api.runtime;
  return { store, codec, keys, log: createLogger('silent') };
}
