import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_EVENT_TYPES } from '../../../src/api/events/catalogues.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  identityDeps,
  makeAdmin,
  registerAndSignIn,
  registerUser,
  type TestUser,
} from '../support/identity-operations.ts';
import { createApiKey, EVENTS, type IntegratorEvent, mutate, UPDATE_PROFILE } from './support/operations.ts';
import { publicEventsInStore } from './support/public-events.ts';
import { connect, type Ending, graphqlWsUrl, subscribe, type TestClient } from './support/ws-client.ts';

let api: IdentityApp;
let url: string;
let integrator: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  api = await startIdentityApp();
  url = await graphqlWsUrl(api.app);
  const owner = await registerAndSignIn(api, 'Integrator');
  integrator = (await createApiKey(api, owner.accessToken, ['EVENTS_READ'])).key;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api.close();
});

const open = (token: string) => {
  const client = connect(url, token);
  clients.push(client);
  return client;
};

const pairs = (events: IntegratorEvent[]) => events.map((e): [string, string] => [e.position, e.type]);

/** Receives until the subscription has delivered every public event up to the store's head now. */
async function receiveUpToHead(events: ReturnType<typeof subscribe<IntegratorEvent>>, already: number = 0) {
  const expected = await publicEventsInStore(api.runtime.store);
  const last = expected.at(-1)?.[0];
  while (events.values.at(-1)?.position !== last) await events.received(events.values.length + 1);
  return { expected, count: already + events.values.length };
}

describe('subscription { events }', () => {
  it('streams every public event in position order, history then live, and never a private one', async () => {
    const user = await registerAndSignIn(api, 'Live');
    const events = subscribe<IntegratorEvent>(open(integrator), 'events', EVENTS);
    await receiveUpToHead(events);

    await mutate(api, UPDATE_PROFILE, { input: { bio: 'live one' } }, user.accessToken);
    await mutate(api, 'mutation { logout }', {}, user.accessToken);
    const { expected } = await receiveUpToHead(events);

    expect(pairs(events.values)).toEqual(expected);
    expect(events.values.every((e) => PUBLIC_EVENT_TYPES.includes(e.type))).toBe(true);
    expect(events.values.map((e) => e.type)).not.toContain('SessionStarted');
    expect(events.values.map((e) => e.type)).not.toContain('LoginSucceeded');
    expect(events.values.at(-1)).toMatchObject({
      type: 'UserProfileChanged',
      data: { userId: user.id, bio: 'live one' },
    });
  });

  it('narrows by stream prefix and type, and starts after the given position', async () => {
    const { id } = await registerUser(api, undefined, 'Filtered');
    const [registered] = (await publicEventsInStore(api.runtime.store)).filter(
      ([, type]) => type === 'UserRegistered',
    );
    const events = subscribe<IntegratorEvent>(open(integrator), 'events', EVENTS, {
      filter: { streamPrefix: `user-${id}`, types: ['UserRegistered'] },
    });
    const [only] = await events.received(1);
    expect(only).toMatchObject({
      streamName: `user-${id}`,
      type: 'UserRegistered',
      data: { displayName: 'Filtered' },
    });

    const after = subscribe<IntegratorEvent>(open(integrator), 'events', EVENTS, { after: registered?.[0] });
    const [next] = await after.received(1);
    expect(BigInt(next?.position ?? '0')).toBeGreaterThan(BigInt(registered?.[0] ?? '0'));
  });

  it('shows the personal fields of a forgotten person as null', async () => {
    const user = await registerAndSignIn(api, 'Forgotten');
    await mutate(api, UPDATE_PROFILE, { input: { bio: 'private life' } }, user.accessToken);
    await mutate(api, 'mutation { forgetUser { erasedAt } }', {}, user.accessToken);
    const events = subscribe<IntegratorEvent>(open(integrator), 'events', EVENTS, {
      filter: { streamPrefix: `user-${user.id}` },
    });
    const received = await events.received(3);
    expect(received.map((e) => [e.type, e.data])).toEqual([
      ['UserRegistered', expect.objectContaining({ userId: user.id, displayName: null })],
      ['UserProfileChanged', { userId: user.id, bio: null }],
      ['UserForgotten', expect.objectContaining({ userId: user.id })],
    ]);
  });

  it('is refused without the events:read scope, to non-admin users and for bad arguments', async () => {
    const user = await registerAndSignIn(api);
    const { key } = await createApiKey(api, user.accessToken, ['GRAPHQL_READ']);
    const codes = async (token: string, variables: Record<string, unknown> = {}) => {
      const ending = await subscribe(open(token), 'events', EVENTS, variables).ended;
      return ending.kind === 'errors'
        ? ending.errors.map((e) => `${e.extensions?.code}/${e.extensions?.reason}`)
        : ending;
    };
    expect(await codes(key)).toEqual(['FORBIDDEN/MISSING_SCOPE']);
    expect(await codes(user.accessToken)).toEqual(['FORBIDDEN/ADMIN_ONLY']);
    expect(await codes(integrator, { after: 'yesterday' })).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(await codes(integrator, { filter: { types: ['SessionStarted'] } })).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
    // Brand, content, media, video and mentorship types go to admins and their keys only.
    expect(await codes(integrator, { filter: { types: ['BrandCreated'] } })).toEqual([
      'FORBIDDEN/ADMIN_ONLY',
    ]);
  });

  it('serves admins', async () => {
    const admin = await makeAdmin(api);
    const events = subscribe<IntegratorEvent>(open(admin.accessToken), 'events', EVENTS);
    expect((await events.received(1))[0]?.type).toBe('UserRegistered');
  });

  it('ends for an admin who loses the role', async () => {
    const admin = await makeAdmin(api);
    const head = (await publicEventsInStore(api.runtime.store)).at(-1)?.[0];
    const events = subscribe<IntegratorEvent>(open(admin.accessToken), 'events', EVENTS, { after: head });
    await registerUser(api);
    await events.received(1);

    const demoted = await setRole(
      identityDeps(api),
      { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
      { userId: admin.id, role: 'user' },
    );
    expect(demoted.position).not.toBeNull();
    // Every new event is checked against the caller as last re-checked; the re-check follows the change.
    let ending: Ending | undefined;
    events.ended.then((e) => {
      ending = e;
    });
    for (let i = 0; i < 20 && !ending; i++) await registerUser(api);
    expect(await events.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'ADMIN_ONLY' } }],
    });
  });

  it('resumes with `after` across a forced disconnect in a burst of writes, without gaps or duplicates', async () => {
    const start = (await publicEventsInStore(api.runtime.store)).at(-1)?.[0];
    const first = open(integrator);
    const before = subscribe<IntegratorEvent>(first, 'events', EVENTS, { after: start });
    let burstDone = false;
    const burst = writeBurst(10).then(() => {
      burstDone = true;
    });
    await before.received(6);
    first.client.terminate();
    const seen = [...before.values];
    expect(burstDone).toBe(false);
    const resumeAfter = seen.at(-1)?.position;

    const after = subscribe<IntegratorEvent>(open(integrator), 'events', EVENTS, { after: resumeAfter });
    await burst;
    await receiveUpToHead(after);

    const union = [...seen, ...after.values];
    const expected = (await publicEventsInStore(api.runtime.store)).filter(
      ([p]) => BigInt(p) > BigInt(start ?? '-1'),
    );
    expect(pairs(union)).toEqual(expected);
    expect(new Set(union.map((e) => e.id)).size).toBe(union.length);
  });
});

/** `count` people register and edit their profiles at the same time. */
async function writeBurst(count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user: TestUser = await registerAndSignIn(api, `Burst ${i}`);
      await mutate(api, UPDATE_PROFILE, { input: { bio: `bio ${i}` } }, user.accessToken);
      await mutate(api, UPDATE_PROFILE, { input: { displayName: `Burst ${i}!` } }, user.accessToken);
      await mutate(api, UPDATE_PROFILE, { input: { bio: `bio ${i}, again` } }, user.accessToken);
    }),
  );
}
