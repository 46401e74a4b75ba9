import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reservationStream } from '../../../src/commands/reservations.ts';
import { profileStream, USERNAME_SCOPE } from '../../../src/domain/social/profile-streams.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { mediaAsset } from '../videos/support.ts';
import {
  eventsIn,
  FOLLOW,
  PROFILE,
  type ProfileView,
  profileOf,
  REMOVE_AVATAR,
  SET_AVATAR,
  SET_USERNAME,
} from './graph-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const person = () => registerAndSignIn(api, 'Someone');
/** A username nobody else in this run has: 3 to 30 characters of a-z 0-9 _ . */
const freshName = (prefix = 'user') => `${prefix}_${randomUUID().slice(0, 8)}`;
const setUsername = (who: TestUser, username: string) => api.gql(SET_USERNAME, { username }, who.accessToken);
const byUsername = async (username: string) =>
  (await api.gql(PROFILE, { username })).data?.profile as ProfileView | null;

describe('setUsername', () => {
  it('stores the name lower case and finds it whatever the case, with or without @', async () => {
    const ada = await person();
    const name = freshName('Ada');
    const set = fieldOf<ProfileView>(await setUsername(ada, `  @${name.toUpperCase()} `), 'setUsername');
    expect(set).toMatchObject({ id: ada.id, username: name.toLowerCase(), displayName: 'Someone' });
    expect((await byUsername(name.toUpperCase()))?.id).toBe(ada.id);
    expect((await byUsername(`@${name}`))?.id).toBe(ada.id);
  });

  it('refuses a name another person holds, whatever its case, and frees a name its holder changed', async () => {
    const [ada, bob] = [await person(), await person()];
    const name = freshName();
    await setUsername(ada, name);
    expect(errorCodes(await setUsername(bob, name.toUpperCase()))).toEqual(['CONFLICT/USERNAME_TAKEN']);
    expect(await eventsIn(api, profileStream(bob.id))).toBe(0);
    await setUsername(ada, freshName());
    expect(fieldOf<ProfileView>(await setUsername(bob, name), 'setUsername').username).toBe(name);
    expect(await byUsername(name)).toMatchObject({ id: bob.id });
  });

  it('gives a name two people race for to exactly one of them', async () => {
    const people = await Promise.all([person(), person(), person(), person()]);
    const name = freshName('race');
    const answers = await Promise.all(people.map((who) => setUsername(who, name)));
    const won = answers.filter((answer) => answer.errors === undefined);
    expect(won).toHaveLength(1);
    expect(answers.flatMap(errorCodes)).toEqual([
      'CONFLICT/USERNAME_TAKEN',
      'CONFLICT/USERNAME_TAKEN',
      'CONFLICT/USERNAME_TAKEN',
    ]);
  });

  it('refuses reserved words, bad shapes and lengths with typed reasons, claiming nothing', async () => {
    const ada = await person();
    for (const [name, reason] of [
      ['admin', 'VALIDATION/USERNAME_RESERVED'],
      ['Sup.Port', 'VALIDATION/USERNAME_RESERVED'],
      ['ab', 'VALIDATION/INVALID_USERNAME_LENGTH'],
      ['a'.repeat(31), 'VALIDATION/INVALID_USERNAME_LENGTH'],
      ['has space', 'VALIDATION/INVALID_USERNAME'],
      ['.dot', 'VALIDATION/INVALID_USERNAME'],
      ['two..dots', 'VALIDATION/INVALID_USERNAME'],
      ['émile', 'VALIDATION/INVALID_USERNAME'],
    ] as const) {
      expect(errorCodes(await setUsername(ada, name)), name).toEqual([reason]);
    }
    expect(await eventsIn(api, reservationStream(USERNAME_SCOPE, 'admin'))).toBe(0);
    expect(await eventsIn(api, profileStream(ada.id))).toBe(0);
    expect(errorCodes(await api.gql(SET_USERNAME, { username: freshName() }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
  });

  it('asks for exactly one of id and username', async () => {
    expect(errorCodes(await api.gql(PROFILE, {}))).toEqual(['VALIDATION/PROFILE_KEY']);
    expect(errorCodes(await api.gql(PROFILE, { id: randomUUID(), username: 'x' }))).toEqual([
      'VALIDATION/PROFILE_KEY',
    ]);
    expect((await api.gql(PROFILE, { id: randomUUID() })).data?.profile).toBeNull();
  });
});

describe('setAvatar and removeAvatar', () => {
  it('shows the renditions of an image its person uploaded, until removed', async () => {
    const ada = await person();
    const assetId = await mediaAsset(api, ada.id, { kind: 'image' });
    const set = fieldOf<ProfileView>(await api.gql(SET_AVATAR, { assetId }, ada.accessToken), 'setAvatar');
    expect(set.avatar.length).toBeGreaterThan(0);
    expect(set.avatar.every((rendition) => rendition.url.includes(assetId))).toBe(true);
    const removed = fieldOf<ProfileView>(await api.gql(REMOVE_AVATAR, {}, ada.accessToken), 'removeAvatar');
    expect(removed.avatar).toEqual([]);
  });

  it('has no square avatar without an avatar, nor for an image recorded without square crops', async () => {
    const ada = await person();
    const squares = `query ($id: ID!) { profile(id: $id) { large: avatarSquare { name } small: avatarSquare(size: SMALL) { name } } }`;
    expect(fieldOf(await api.gql(squares, { id: ada.id }), 'profile')).toEqual({ large: null, small: null });
    // This asset's manifest predates the square crops: the list still shows it, the squares do not.
    const assetId = await mediaAsset(api, ada.id, { kind: 'image' });
    await api.gql(SET_AVATAR, { assetId }, ada.accessToken);
    expect(fieldOf(await api.gql(squares, { id: ada.id }), 'profile')).toEqual({ large: null, small: null });
  });

  it('refuses someone else’s image, a video, an unfinished upload and an unknown asset', async () => {
    const [ada, bob] = [await person(), await person()];
    const cases: [string, string][] = [
      [await mediaAsset(api, bob.id, { kind: 'image' }), 'FORBIDDEN/NOT_ASSET_OWNER'],
      [await mediaAsset(api, ada.id, { kind: 'video' }), 'VALIDATION/NOT_AN_IMAGE'],
      [await mediaAsset(api, ada.id, { kind: 'image', stage: 'processing' }), 'CONFLICT/MEDIA_NOT_READY'],
      [await mediaAsset(api, ada.id, { kind: 'image', stage: 'deleted' }), 'NOT_FOUND/MEDIA_DELETED'],
      [randomUUID(), 'NOT_FOUND/MEDIA_NOT_FOUND'],
    ];
    for (const [assetId, reason] of cases) {
      expect(errorCodes(await api.gql(SET_AVATAR, { assetId }, ada.accessToken))).toEqual([reason]);
    }
    expect(await eventsIn(api, profileStream(ada.id))).toBe(0);
  });
});

describe('erasure', () => {
  it('takes the name, username, bio and avatar off the profile; the follows stay, as a forgotten user', async () => {
    const [ada, bob] = [await person(), await person()];
    const name = freshName('gone');
    await setUsername(ada, name);
    await api.gql(SET_AVATAR, { assetId: await mediaAsset(api, ada.id, { kind: 'image' }) }, ada.accessToken);
    await api.gql(FOLLOW, { userId: bob.id }, ada.accessToken);
    const forgotten = await api.gql('mutation { forgetUser { userId } }', {}, ada.accessToken);
    expect(forgotten.errors).toBeUndefined();
    const profile = await profileOf(api, ada.id, bob.accessToken);
    expect(profile).toMatchObject({
      forgotten: true,
      username: null,
      displayName: null,
      bio: null,
      avatar: [],
      followsYou: true,
    });
    expect(await byUsername(name)).toBeNull();
    const { rows } = await api.runtime.pool.query(
      'select username, avatar_asset_id from social_profiles where user_id = $1',
      [ada.id],
    );
    expect(rows).toEqual([{ username: null, avatar_asset_id: null }]);
  });
});
