import { expect } from 'vitest';
import type { IdentityApp } from '../../support/identity-app.ts';

export const ME_CHANGED = `subscription { meChanged { id displayName bio status } }`;
export const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }`;
export const EVENTS = `subscription ($filter: IntegratorEventFilter, $after: String) {
  events(filter: $filter, after: $after) { position streamName type id data }
}`;

export interface MeChanged {
  id: string;
  displayName: string | null;
  bio: string | null;
  status: string;
}

export interface IntegratorEvent {
  position: string;
  streamName: string;
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** Runs a mutation that must succeed. */
export async function mutate(
  api: IdentityApp,
  query: string,
  variables: Record<string, unknown>,
  token: string,
) {
  const response = await api.gql(query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data;
}

/** An API key of `token`'s user with the given GraphQL scopes (e.g. `EVENTS_READ`): its id and the key. */
export async function createApiKey(api: IdentityApp, token: string, scopes: string[]) {
  const data = await mutate(
    api,
    `mutation ($scopes: [ApiScope!]!) { createApiKey(name: "integration", scopes: $scopes) { key apiKey { id } } }`,
    { scopes },
    token,
  );
  return data?.createApiKey as { key: string; apiKey: { id: string } };
}
