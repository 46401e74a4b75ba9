import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf } from '../../../src/commands/reservations.ts';
import { EMAIL_SCOPE, userStream } from '../../../src/domain/identity/streams.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  freshEmail,
  LOGIN,
  PASSWORD,
  REGISTER,
  registerAndSignIn,
  type TestUser,
} from '../support/identity-operations.ts';

/**
 * An idempotency key binds to the input it was first used with: a retry with the key and the same
 * input replays the first outcome and appends nothing; the key with other input is refused as
 * CONFLICT/IDEMPOTENCY_KEY_REUSED and appends nothing either, in this process or any other.
 */
const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName bio } }`;
const CHANGE_PASSWORD = `mutation ($c: String!, $n: String!, $k: String) {
  changePassword(currentPassword: $c, newPassword: $n, idempotencyKey: $k) }`;
const REQUEST_UPLOAD = `mutation ($size: Float!, $key: String) {
  requestUpload(kind: IMAGE, fileName: "a.png", contentType: "image/png", size: $size, idempotencyKey: $key) {
    assetId maxSize } }`;
const REUSED = ['CONFLICT/IDEMPOTENCY_KEY_REUSED'];

let api: IdentityApp;
let user: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  user = await registerAndSignIn(api, 'Keyed');
});
afterAll(async () => {
  await api?.close();
});

const headPosition = async (app: IdentityApp = api) =>
  (await app.runtime.store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position;

describe('idempotency keys', () => {
  it('replays a retry with the same input and refuses the key with other input, appending nothing', async () => {
    const idempotencyKey = randomUUID();
    const first = await api.gql(
      UPDATE_PROFILE,
      { input: { displayName: 'First', idempotencyKey } },
      user.accessToken,
    );
    expect(fieldOf(first, 'updateProfile')).toEqual({ displayName: 'First', bio: null });
    const head = await headPosition();

    const retry = await api.gql(
      UPDATE_PROFILE,
      { input: { displayName: 'First', idempotencyKey } },
      user.accessToken,
    );
    expect(retry.errors).toBeUndefined();
    expect(fieldOf(retry, 'updateProfile')).toEqual({ displayName: 'First', bio: null });

    const other = await api.gql(
      UPDATE_PROFILE,
      { input: { displayName: 'Second', idempotencyKey } },
      user.accessToken,
    );
    expect(errorCodes(other)).toEqual(REUSED);
    // An absent field and a null one are different input: null clears the bio.
    const cleared = await api.gql(
      UPDATE_PROFILE,
      { input: { displayName: 'First', bio: null, idempotencyKey } },
      user.accessToken,
    );
    expect(errorCodes(cleared)).toEqual(REUSED);
    expect(await headPosition()).toBe(head);
    const me = await api.gql('{ me { displayName } }', {}, user.accessToken);
    expect(fieldOf(me, 'me')).toEqual({ displayName: 'First' });
  });

  it('refuses the key with other input in one request too (aliased mutations)', async () => {
    const idempotencyKey = randomUUID();
    const both = await api.gql(
      `mutation ($k: String) {
        a: updateProfile(input: { displayName: "Alias A", idempotencyKey: $k }) { displayName }
        b: updateProfile(input: { displayName: "Alias B", idempotencyKey: $k }) { displayName } }`,
      { k: idempotencyKey },
      user.accessToken,
    );
    expect(errorCodes(both)).toEqual(REUSED);
    expect(both.errors?.[0]).toMatchObject({ path: ['b'] });
    const me = await api.gql('{ me { displayName } }', {}, user.accessToken);
    expect(fieldOf(me, 'me')).toEqual({ displayName: 'Alias A' });
  });

  it('binds nothing when the first request was refused: the corrected retry goes through', async () => {
    const owner = await registerAndSignIn(api, 'Typo');
    const k = randomUUID();
    const typo = await api.gql(
      CHANGE_PASSWORD,
      { c: 'not my password', n: 'the next password', k },
      owner.accessToken,
    );
    expect(errorCodes(typo)).toEqual(['UNAUTHENTICATED/WRONG_PASSWORD']);
    const corrected = await api.gql(
      CHANGE_PASSWORD,
      { c: PASSWORD, n: 'the next password', k },
      owner.accessToken,
    );
    expect(corrected.data).toEqual({ changePassword: true });
  });

  it('keys creations too: the same upload request gets the same asset, another one is refused', async () => {
    const key = randomUUID();
    const first = fieldOf<{ assetId: string }>(
      await api.gql(REQUEST_UPLOAD, { size: 1_000, key }, user.accessToken),
      'requestUpload',
    );
    const retry = fieldOf<{ assetId: string }>(
      await api.gql(REQUEST_UPLOAD, { size: 1_000, key }, user.accessToken),
      'requestUpload',
    );
    expect(retry.assetId).toBe(first.assetId);
    const head = await headPosition();
    const bigger = await api.gql(REQUEST_UPLOAD, { size: 2_000, key }, user.accessToken);
    expect(errorCodes(bigger)).toEqual(REUSED);
    expect(await headPosition()).toBe(head);
  });

  it('refuses a registration retried with another address before claiming that address', async () => {
    const input = {
      email: freshEmail(),
      password: PASSWORD,
      displayName: 'Once',
      idempotencyKey: randomUUID(),
    };
    const first = fieldOf<{ id: string }>(await api.gql(REGISTER, { input }), 'register');
    const head = await headPosition();
    const otherEmail = freshEmail();
    expect(errorCodes(await api.gql(REGISTER, { input: { ...input, email: otherEmail } }))).toEqual(REUSED);
    expect(errorCodes(await api.gql(REGISTER, { input: { ...input, displayName: 'Twice' } }))).toEqual(
      REUSED,
    );
    expect(await headPosition()).toBe(head);
    expect(await ownerOf(api.runtime.store, EMAIL_SCOPE, otherEmail)).toBeNull();
    const retry = await api.gql(REGISTER, { input });
    expect(fieldOf<{ id: string }>(retry, 'register').id).toBe(first.id);
  });

  it('checks a password left out of the fingerprint against the hash the first run stored', async () => {
    const input = {
      email: freshEmail(),
      password: PASSWORD,
      displayName: 'Secret',
      idempotencyKey: randomUUID(),
    };
    await api.gql(REGISTER, { input });
    const head = await headPosition();
    const otherPassword = await api.gql(REGISTER, { input: { ...input, password: 'another good password' } });
    expect(errorCodes(otherPassword)).toEqual(REUSED);
    expect(await headPosition()).toBe(head);

    const owner = await registerAndSignIn(api, 'Changer');
    const k = randomUUID();
    const changed = await api.gql(
      CHANGE_PASSWORD,
      { c: PASSWORD, n: 'the next password', k },
      owner.accessToken,
    );
    expect(changed.data).toEqual({ changePassword: true });
    const afterChange = await headPosition();
    const sneaky = await api.gql(
      CHANGE_PASSWORD,
      { c: PASSWORD, n: 'yet another password', k },
      owner.accessToken,
    );
    expect(errorCodes(sneaky)).toEqual(REUSED);
    expect(await headPosition()).toBe(afterChange);
    const signIn = await api.gql(LOGIN, { input: { email: owner.email, password: 'the next password' } });
    expect(signIn.errors).toBeUndefined();
  });

  it('keeps the binding in the event store: another API process on the same database refuses the key too', async () => {
    const idempotencyKey = randomUUID();
    await api.gql(UPDATE_PROFILE, { input: { bio: 'Before the restart', idempotencyKey } }, user.accessToken);
    const fingerprints = (await api.runtime.store.readStream(userStream(user.id)))
      .map((event) => event.metadata.inputFingerprint)
      .filter((fingerprint) => fingerprint !== undefined);
    expect(fingerprints.length).toBeGreaterThan(0);
    // Nothing in the fingerprint reads as the input.
    expect(JSON.stringify(fingerprints)).not.toContain('Before the restart');

    const second = await startIdentityApp({ databaseUrl: api.databaseUrl, projector: false });
    try {
      const head = await headPosition(second);
      const other = await second.gql(
        UPDATE_PROFILE,
        { input: { bio: 'After', idempotencyKey } },
        user.accessToken,
      );
      expect(errorCodes(other)).toEqual(REUSED);
      const same = await second.gql(
        UPDATE_PROFILE,
        { input: { bio: 'Before the restart', idempotencyKey } },
        user.accessToken,
      );
      expect(same.errors).toBeUndefined();
      expect(await headPosition(second)).toBe(head);
    } finally {
      await second.close();
    }
  });
});
