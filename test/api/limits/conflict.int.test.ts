import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }`;

describe('a write that keeps losing the race', () => {
  let api: IdentityApp;
  let user: TestUser;
  beforeAll(async () => {
    api = await startIdentityApp();
    user = await registerAndSignIn(api);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Another writer appends to `stream` right after every read of it: each attempt's append is stale. */
  const anotherWriterAfterEveryRead = (stream: string) => {
    const { store } = api.runtime;
    const read = store.readStream.bind(store);
    vi.spyOn(store, 'readStream').mockImplementation(async (name, options) => {
      const events = await read(name, options);
      if (name === stream) {
        // A type the user aggregate does not know: it changes the revision and nothing else.
        await store.append(stream, [{ id: randomUUID(), type: 'ConcurrentTouch', data: {} }]);
      }
      return events;
    });
  };

  it('ends in CONFLICT / CONCURRENCY carrying the revision the stream had moved on to', async () => {
    const stream = userStream(user.id);
    anotherWriterAfterEveryRead(stream);

    const response = await api.gql(UPDATE_PROFILE, { input: { bio: 'never written' } }, user.accessToken);
    vi.restoreAllMocks();

    expect(errorCodes(response)).toEqual(['CONFLICT/CONCURRENCY']);
    const last = (await api.runtime.store.readStream(stream)).at(-1);
    expect(last?.type).toBe('ConcurrentTouch');
    expect(response.errors?.[0]?.extensions).toMatchObject({
      currentRevision: last?.revision.toString(),
      attempts: 5,
      requestId: expect.any(String),
    });
  });
});
