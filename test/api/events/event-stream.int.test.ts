import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_EVENT_TYPES } from '../../../src/api/events/catalogues.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, PASSWORD, registerAndSignIn, registerUser } from '../support/identity-operations.ts';
import { baseUrlOf, openEventStream, requestEvents, type SseStream } from '../support/sse-client.ts';
import { createApiKey, headPosition, publicPositionsAfter, UPDATE_PROFILE } from './support.ts';

const PRIVATE_TYPES = ['LoginSucceeded', 'SessionStarted', 'ApiKeyCreated', 'UserPasswordChanged'];

describe('GET /events: the integrator event stream over Server-Sent Events', () => {
  let api: IdentityApp;
  let baseUrl: string;
  let readerKey: string;
  const open: SseStream[] = [];
  const stream = async (request: Parameters<typeof openEventStream>[1]) => {
    const opened = await openEventStream(baseUrl, request);
    open.push(opened);
    return opened;
  };

  beforeAll(async () => {
    api = await startIdentityApp({ eventStreamLimits: { heartbeatMs: 200 } });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = baseUrlOf(api.app.server.address());
    const owner = await registerAndSignIn(api, 'Integration Owner');
    readerKey = (await createApiKey(api, owner.accessToken, ['EVENTS_READ'])).key;
  });
  afterAll(async () => {
    for (const opened of open) opened.close();
    await api?.close();
  });

  it('delivers catch-up, then live events, each with its position as id and its type as event', async () => {
    const before = await registerUser(api, undefined, 'Caught Up');
    const events = await stream({ token: readerKey });
    await events.until((s) => s.events().some((e) => e.data.userId === before.id));

    const live = await registerUser(api, undefined, 'Seen Live');
    await events.until((s) => s.events().some((e) => e.data.userId === live.id));
    await events.until((s) => s.comments.includes('keep-alive'), 2_000);

    const received = events.events();
    for (const [index, frame] of events.frames.entries()) {
      expect(frame.id).toBe(received[index]?.position);
      expect(frame.event).toBe(received[index]?.type);
    }
    const positions = received.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(positions).size).toBe(positions.length);
    const registered = received.find((e) => e.type === 'UserRegistered' && e.data.userId === live.id);
    expect(registered).toMatchObject({
      streamName: `user-${live.id}`,
      schemaVersion: 1,
      data: { userId: live.id, displayName: 'Seen Live', role: 'user', at: expect.any(String) },
    });
    // Only the public fields: no e-mail address, no password hash.
    expect(Object.keys(registered?.data ?? {}).sort()).toEqual(['at', 'displayName', 'role', 'userId']);
  });

  it('never sends private event types (sessions, sign-ins, API keys, passwords)', async () => {
    const user = await registerAndSignIn(api);
    const changed = await api.gql(
      'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
      { c: PASSWORD, n: 'an even better passphrase' },
      user.accessToken,
    );
    expect(changed.errors).toBeUndefined();
    const events = await stream({ token: readerKey });
    const positions = await publicPositionsAfter(api, 0n);
    await events.until((s) => s.events().length >= positions.length);
    const types = new Set(events.events().map((e) => e.type));
    for (const type of types) expect(PUBLIC_EVENT_TYPES).toContain(type);
    for (const type of PRIVATE_TYPES) expect(types).not.toContain(type);
    const storedTypes = new Set((await api.runtime.store.readAll({})).map((e) => e.type));
    for (const type of PRIVATE_TYPES) expect(storedTypes).toContain(type);
  });

  it('resumes after a disconnect in the middle of a burst with no gap and no duplicate', async () => {
    const mark = await headPosition(api);
    const first = await stream({ token: readerKey, query: { after: mark.toString() } });
    const burst = Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const user = await registerAndSignIn(api, `Burst ${i}`);
        for (const bio of ['first', 'second']) {
          await api.gql(UPDATE_PROFILE, { input: { bio: `${bio} bio of ${i}` } }, user.accessToken);
        }
      }),
    );
    await first.until((s) => s.events().length >= 2, 20_000);
    first.close();
    await first.ended;
    const beforeDisconnect = first.events();
    const lastSeen = beforeDisconnect.at(-1)?.position;
    if (!lastSeen) throw new Error('nothing received before the disconnect');

    // As an EventSource reconnects: the original URL, and how far it got in Last-Event-ID.
    const second = await stream({
      token: readerKey,
      query: { after: mark.toString() },
      lastEventId: lastSeen,
    });
    await burst;
    const expected = await publicPositionsAfter(api, mark);
    const lastExpected = expected.at(-1);
    await second.until((s) => s.events().at(-1)?.position === lastExpected, 20_000);

    const union = [...beforeDisconnect, ...second.events()].map((e) => e.position);
    expect(expected.length).toBeGreaterThan(beforeDisconnect.length);
    expect(union).toEqual(expected);
    expect(expected.length).toBe(6 * 3);
  });

  it('narrows to the given types and stream prefix', async () => {
    const user = await registerAndSignIn(api, 'Narrowed');
    await api.gql(UPDATE_PROFILE, { input: { bio: 'only this' } }, user.accessToken);
    await registerAndSignIn(api, 'Someone Else');
    const events = await stream({
      token: readerKey,
      query: { types: 'UserProfileChanged,UserRoleChanged', streamPrefix: `user-${user.id}` },
    });
    await events.until((s) => s.events().length >= 1);
    // Give anything that should not be there a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.events().map((e) => [e.type, e.data])).toEqual([
      ['UserProfileChanged', { userId: user.id, bio: 'only this' }],
    ]);
  });

  it('replays a forgotten person with their personal fields as null', async () => {
    const user = await registerAndSignIn(api, 'Ada Forgettable');
    await api.gql(UPDATE_PROFILE, { input: { bio: 'Born in 1815' } }, user.accessToken);
    const query = { streamPrefix: `user-${user.id}` };
    const known = await stream({ token: readerKey, query });
    await known.until((s) => s.events().length >= 2);
    expect(known.events().map((e) => e.data)).toEqual([
      expect.objectContaining({ displayName: 'Ada Forgettable' }),
      { userId: user.id, bio: 'Born in 1815' },
    ]);

    const forgotten = await api.gql('mutation { forgetUser { userId } }', {}, user.accessToken);
    expect(forgotten.errors).toBeUndefined();
    await known.until((s) => s.events().some((e) => e.type === 'UserForgotten'));

    const replay = await stream({ token: readerKey, query });
    await replay.until((s) => s.events().some((e) => e.type === 'UserForgotten'));
    expect(replay.events().map((e) => [e.type, e.data])).toEqual([
      ['UserRegistered', { userId: user.id, displayName: null, role: 'user', at: expect.any(String) }],
      ['UserProfileChanged', { userId: user.id, bio: null }],
      ['UserForgotten', { userId: user.id, at: expect.any(String) }],
    ]);
    expect(JSON.stringify(replay.frames)).not.toContain('Forgettable');
  });

  it('lets admins read the stream too', async () => {
    const admin = await makeAdmin(api);
    const events = await stream({ token: admin.accessToken });
    await events.until((s) => s.events().length > 0);
  });

  it('refuses callers without events:read and bad parameters, with the GraphQL error codes', async () => {
    const user = await registerAndSignIn(api);
    const graphqlOnly = (await createApiKey(api, user.accessToken, ['GRAPHQL_READ'])).key;
    const refusal = async (request: Parameters<typeof requestEvents>[1]) => {
      const response = await requestEvents(baseUrl, request);
      const body = (await response.json()) as { code?: string; reason?: string };
      return [response.status, `${body.code}/${body.reason}`];
    };
    expect(await refusal({})).toEqual([401, 'UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(await refusal({ token: 'chr_not_a_key' })).toEqual([401, 'UNAUTHENTICATED/INVALID_API_KEY']);
    expect(await refusal({ token: graphqlOnly })).toEqual([403, 'FORBIDDEN/MISSING_SCOPE']);
    expect(await refusal({ token: user.accessToken })).toEqual([403, 'FORBIDDEN/ADMIN_ONLY']);
    expect(await refusal({ token: readerKey, query: { after: 'yesterday' } })).toEqual([
      400,
      'VALIDATION/INVALID_INPUT',
    ]);
    expect(await refusal({ token: readerKey, query: { types: 'LoginSucceeded' } })).toEqual([
      400,
      'VALIDATION/INVALID_INPUT',
    ]);
    expect(await refusal({ token: readerKey, lastEventId: '12abc' })).toEqual([
      400,
      'VALIDATION/INVALID_INPUT',
    ]);
  });

  it('ends the stream of a key revoked while it reads, within a heartbeat', async () => {
    const owner = await registerAndSignIn(api);
    const key = await createApiKey(api, owner.accessToken, ['EVENTS_READ']);
    const events = await stream({ token: key.key });
    await events.until((s) => s.events().length > 0);
    const revoked = await api.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: key.apiKey.id },
      owner.accessToken,
    );
    expect(revoked.errors).toBeUndefined();
    await events.ended;
    expect(events.frames.at(-1)).toEqual({
      event: 'error',
      data: expect.stringContaining('"reason":"API_KEY_REVOKED"'),
    });
  });
});

describe('GET /events during shutdown', () => {
  it('closing the app ends open streams instead of waiting for them', async () => {
    const api = await startIdentityApp();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await registerAndSignIn(api);
    const key = await createApiKey(api, owner.accessToken, ['EVENTS_READ']);
    const events = await openEventStream(baseUrlOf(api.app.server.address()), { token: key.key });
    await events.until((s) => s.events().length > 0);
    const started = Date.now();
    await api.close();
    await events.ended;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
