import { expect } from 'vitest';
import { publicTypesFor } from '../../../src/api/events/catalogues.ts';
import { toIntegratorEvent } from '../../../src/api/events/integrator-events.ts';
import type { EventAudience } from '../../../src/api/events/published-events.ts';
import type { IdentityApp } from '../support/identity-app.ts';

export const CREATE_API_KEY = `mutation ($name: String!, $scopes: [ApiScope!]!) {
  createApiKey(name: $name, scopes: $scopes) { key apiKey { id } }
}`;
export const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { bio } }`;

export async function createApiKey(api: IdentityApp, accessToken: string, scopes: string[]) {
  const response = await api.gql(CREATE_API_KEY, { name: 'event export', scopes }, accessToken);
  expect(response.errors).toBeUndefined();
  return response.data?.createApiKey as { key: string; apiKey: { id: string } };
}

/**
 * The positions integrators of the audience (by default: keys of non-admins) may see in the store
 * after `after`, as the stream must deliver them.
 */
export async function publicPositionsAfter(
  api: IdentityApp,
  after: bigint,
  audience: EventAudience = 'readers',
): Promise<string[]> {
  const recorded = await api.runtime.store.readAll({ fromPosition: after + 1n });
  const filter = { types: publicTypesFor(audience) };
  const visible = await Promise.all(
    recorded.map((event) => toIntegratorEvent(api.runtime.codec, event, filter)),
  );
  return visible.flatMap((event) => (event ? [event.position] : []));
}

/** The position of the store's last event (0 when empty). */
export async function headPosition(api: IdentityApp): Promise<bigint> {
  const [last] = await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 });
  return last?.position ?? 0n;
}
