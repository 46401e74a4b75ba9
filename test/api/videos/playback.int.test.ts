import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaUrls } from '../../../src/services/media/signed-urls.ts';
import { fieldOf, type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createPost, deleteAsset, mediaAsset } from './support.ts';

let api: IdentityApp;
let owner: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  owner = await registerAndSignIn(api, 'Owner');
});
afterAll(async () => {
  await api?.close();
});

const RENDITION = 'name kind width height contentType url';
const PLAYBACK = `query ($id: ID!) { videoPost(id: $id) {
  durationSeconds renditions { ${RENDITION} } hlsMaster { ${RENDITION} } poster { ${RENDITION} }
  owner { id displayName } } }`;
const LIST_PLAYBACK = `query ($userId: ID!) { videos(userId: $userId) {
  nodes { title poster { name } renditions { name } } } }`;

interface Rendition {
  name: string;
  kind: string;
  width: number | null;
  height: number | null;
  contentType: string;
  url: string;
}
interface Playback {
  durationSeconds: number | null;
  renditions: Rendition[];
  hlsMaster: Rendition | null;
  poster: Rendition | null;
  owner: { id: string; displayName: string } | null;
}

const urls = mediaUrls(new TextEncoder().encode(TEST_AUTH_SECRET));

/** The asset, rendition and expiry a delivery URL names, if this server signed it. */
function verified(url: string) {
  const match = /^\/media\/([0-9a-f-]{36})\/([^?]+)\?expires=(\d+)&signature=([\w-]+)$/.exec(url);
  if (!match) return null;
  const [, assetId = '', rendition = '', expires = '', signature = ''] = match;
  return urls.verify(assetId, rendition, expires, signature, new Date())
    ? { assetId, rendition, expiresAt: Number(expires) * 1000 }
    : null;
}

describe('a video post’s renditions', () => {
  it('lists what a player picks from, each with a signed delivery URL', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const post = await createPost(api, owner.accessToken, { assetId, title: 'Playable' });
    const playback = fieldOf<Playback>(await api.gql(PLAYBACK, { id: post.id }), 'videoPost');

    expect(playback.durationSeconds).toBe(3);
    // HLS variant playlists and segments are reached through the master playlist.
    expect(playback.renditions.map((r) => r.name)).toEqual([
      '720p',
      '360p',
      'hls-master',
      'poster-jpeg',
      'thumb-320-webp',
    ]);
    expect(playback.renditions[0]).toMatchObject({
      kind: 'video',
      width: 1280,
      height: 720,
      contentType: 'video/mp4',
    });
    expect(playback.hlsMaster).toMatchObject({
      name: 'hls-master',
      contentType: 'application/vnd.apple.mpegurl',
    });
    expect(playback.poster).toMatchObject({ name: 'poster-jpeg', kind: 'image' });
    for (const rendition of playback.renditions) {
      const signed = verified(rendition.url);
      expect(signed).toMatchObject({ assetId, rendition: rendition.name });
      expect(signed?.expiresAt).toBeGreaterThan(Date.now() + 60 * 60_000);
    }
  });

  it('is empty once the asset is deleted; the post stays', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const post = await createPost(api, owner.accessToken, { assetId, title: 'Soon unplayable' });
    await deleteAsset(api, assetId, owner.id);
    const playback = fieldOf<Playback>(
      await api.gql(PLAYBACK, { id: post.id }, owner.accessToken),
      'videoPost',
    );
    expect(playback).toMatchObject({ renditions: [], hlsMaster: null, poster: null, durationSeconds: null });
  });

  it('shows the owner to signed-in callers only, as user(id) does', async () => {
    const post = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Whose?',
    });
    const viewer = await registerAndSignIn(api, 'Viewer');
    const seen = fieldOf<Playback>(await api.gql(PLAYBACK, { id: post.id }, viewer.accessToken), 'videoPost');
    expect(seen.owner).toEqual({ id: owner.id, displayName: 'Owner' });
    const anonymous = fieldOf<Playback>(await api.gql(PLAYBACK, { id: post.id }), 'videoPost');
    expect(anonymous.owner).toBeNull();
  });

  it('comes with every post of a list', async () => {
    const poster = await registerAndSignIn(api, 'Prolific');
    for (const title of ['One', 'Two', 'Three']) {
      await createPost(api, poster.accessToken, { assetId: await mediaAsset(api, poster.id), title });
    }
    const list = fieldOf<{
      nodes: { title: string; poster: { name: string } | null; renditions: unknown[] }[];
    }>(await api.gql(LIST_PLAYBACK, { userId: poster.id }), 'videos');
    expect(list.nodes.map((node) => node.title)).toEqual(['Three', 'Two', 'One']);
    expect(
      list.nodes.every((node) => node.poster?.name === 'poster-jpeg' && node.renditions.length === 5),
    ).toBe(true);
  });
});
