import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  CREATE_POST,
  createPost,
  DELETE_POST,
  mediaAsset,
  type PostView,
  UPDATE_POST,
  VIDEO_POST,
  VIDEOS,
} from './support.ts';

let api: IdentityApp;
let owner: TestUser;
let stranger: TestUser;
let admin: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  owner = await registerAndSignIn(api, 'Owner');
  stranger = await registerAndSignIn(api, 'Stranger');
  admin = await makeAdmin(api);
});
afterAll(async () => {
  await api?.close();
});

const post = async (id: string, token?: string) =>
  (await api.gql(VIDEO_POST, { id }, token)).data?.videoPost as PostView | null;

describe('createVideoPost', () => {
  it('posts a ready video the caller uploaded, tags normalised, public by default', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const created = await createPost(api, owner.accessToken, {
      assetId,
      title: '  Kickflip at the river ',
      description: 'First clean landing.',
      tags: ['#Skate', 'KICKFLIP', 'skate'],
    });
    expect(created).toMatchObject({
      ownerId: owner.id,
      assetId,
      title: 'Kickflip at the river',
      description: 'First clean landing.',
      tags: ['skate', 'kickflip'],
      visibility: 'public',
    });
    expect(created.createdAt).toBe(created.updatedAt);
    expect(await post(created.id)).toEqual(created);
  });

  it('makes one post however often a request with the same idempotency key is retried', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const input = { assetId, title: 'Retried' };
    const key = `retry-${randomUUID()}`;
    const first = fieldOf<PostView>(
      await api.gql(CREATE_POST, { input, key }, owner.accessToken),
      'createVideoPost',
    );
    const again = fieldOf<PostView>(
      await api.gql(CREATE_POST, { input, key }, owner.accessToken),
      'createVideoPost',
    );
    expect(again.id).toBe(first.id);
  });

  it('refuses a video that is still processing', async () => {
    const assetId = await mediaAsset(api, owner.id, { stage: 'processing' });
    const response = await api.gql(CREATE_POST, { input: { assetId, title: 'Too soon' } }, owner.accessToken);
    expect(errorCodes(response)).toEqual(['CONFLICT/MEDIA_NOT_READY']);
  });

  it('refuses an asset that is not a video', async () => {
    const assetId = await mediaAsset(api, owner.id, { kind: 'image' });
    const response = await api.gql(CREATE_POST, { input: { assetId, title: 'A photo' } }, owner.accessToken);
    expect(errorCodes(response)).toEqual(['VALIDATION/NOT_A_VIDEO']);
  });

  it('refuses someone else’s video', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const response = await api.gql(
      CREATE_POST,
      { input: { assetId, title: 'Mine now' } },
      stranger.accessToken,
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN/NOT_ASSET_OWNER']);
  });

  it('refuses an asset that does not exist or was deleted', async () => {
    const missing = await api.gql(
      CREATE_POST,
      { input: { assetId: randomUUID(), title: 'Nothing' } },
      owner.accessToken,
    );
    expect(errorCodes(missing)).toEqual(['NOT_FOUND/MEDIA_NOT_FOUND']);
    const assetId = await mediaAsset(api, owner.id, { stage: 'deleted' });
    const deleted = await api.gql(CREATE_POST, { input: { assetId, title: 'Gone' } }, owner.accessToken);
    expect(errorCodes(deleted)).toEqual(['NOT_FOUND/MEDIA_DELETED']);
  });

  it('asks anonymous callers to sign in', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const response = await api.gql(CREATE_POST, { input: { assetId, title: 'Hello' } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });

  it('refuses bad input with VALIDATION, naming what is wrong', async () => {
    const assetId = await mediaAsset(api, owner.id);
    const attempt = async (input: Record<string, unknown>) =>
      errorCodes(
        await api.gql(CREATE_POST, { input: { assetId, title: 'Fine', ...input } }, owner.accessToken),
      );
    expect(await attempt({ title: '   ' })).toEqual(['VALIDATION/INVALID_TITLE']);
    expect(await attempt({ title: 'x'.repeat(201) })).toEqual(['VALIDATION/INVALID_TITLE']);
    expect(await attempt({ description: 'x'.repeat(5001) })).toEqual(['VALIDATION/INVALID_DESCRIPTION']);
    expect(await attempt({ tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) })).toEqual([
      'VALIDATION/TOO_MANY_TAGS',
    ]);
    expect(await attempt({ tags: ['x'.repeat(51)] })).toEqual(['VALIDATION/TAG_TOO_LONG']);
    expect(await attempt({ tags: ['#'] })).toEqual(['VALIDATION/INVALID_TAG']);
    expect(await attempt({ assetId: 'not-a-uuid' })).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(await attempt({ title: 'x'.repeat(5_000) })).toEqual(['VALIDATION/INVALID_INPUT']);
    // Nothing was posted from the asset meanwhile.
    const list = await api.gql(VIDEOS, { userId: owner.id }, owner.accessToken);
    expect(JSON.stringify(list)).not.toContain('"Fine"');
  });
});

describe('updateVideoPost', () => {
  it('changes the parts given and keeps the others', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Before',
      description: 'Kept',
      tags: ['skate'],
    });
    const response = await api.gql(
      UPDATE_POST,
      { id: created.id, input: { title: 'After', tags: ['Street', '#Skate'], visibility: 'unlisted' } },
      owner.accessToken,
    );
    const updated = fieldOf<PostView>(response, 'updateVideoPost');
    expect(updated).toMatchObject({
      title: 'After',
      description: 'Kept',
      tags: ['street', 'skate'],
      visibility: 'unlisted',
      createdAt: created.createdAt,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
  });

  it('clears the description and tags when given empty ones', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Clear me',
      description: 'Something',
      tags: ['a', 'b'],
    });
    const response = await api.gql(
      UPDATE_POST,
      { id: created.id, input: { description: '', tags: [] } },
      owner.accessToken,
    );
    expect(fieldOf<PostView>(response, 'updateVideoPost')).toMatchObject({ description: '', tags: [] });
  });

  it('lets a platform admin edit anyone’s post, and nobody else', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Spicy title',
      visibility: 'private',
    });
    const refused = await api.gql(
      UPDATE_POST,
      { id: created.id, input: { title: 'Mine' } },
      stranger.accessToken,
    );
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/NOT_VIDEO_OWNER']);
    const moderated = await api.gql(
      UPDATE_POST,
      { id: created.id, input: { title: 'Moderated title' } },
      admin.accessToken,
    );
    expect(fieldOf<PostView>(moderated, 'updateVideoPost').title).toBe('Moderated title');
  });

  it('refuses bad input with VALIDATION and an unknown post with NOT_FOUND', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Valid',
    });
    const empty = await api.gql(UPDATE_POST, { id: created.id, input: { title: '' } }, owner.accessToken);
    expect(errorCodes(empty)).toEqual(['VALIDATION/INVALID_TITLE']);
    const badVisibility = await api.gql(
      UPDATE_POST,
      { id: created.id, input: { visibility: 'friends' } },
      owner.accessToken,
    );
    expect(errorCodes(badVisibility)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const unknown = await api.gql(
      UPDATE_POST,
      { id: randomUUID(), input: { title: 'x' } },
      owner.accessToken,
    );
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND/VIDEO_POST_NOT_FOUND']);
  });
});

describe('deleteVideoPost', () => {
  it('removes the post for good; deleting again is harmless, editing is refused', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Short-lived',
    });
    const refused = await api.gql(DELETE_POST, { id: created.id }, stranger.accessToken);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/NOT_VIDEO_OWNER']);

    expect(
      fieldOf(await api.gql(DELETE_POST, { id: created.id }, owner.accessToken), 'deleteVideoPost'),
    ).toBe(created.id);
    expect(await post(created.id, owner.accessToken)).toBeNull();
    const list = await api.gql(VIDEOS, { userId: owner.id }, owner.accessToken);
    expect(JSON.stringify(list)).not.toContain(created.id);

    expect(
      fieldOf(await api.gql(DELETE_POST, { id: created.id }, owner.accessToken), 'deleteVideoPost'),
    ).toBe(created.id);
    const edit = await api.gql(UPDATE_POST, { id: created.id, input: { title: 'Back' } }, owner.accessToken);
    expect(errorCodes(edit)).toEqual(['NOT_FOUND/VIDEO_POST_DELETED']);
  });

  it('lets a platform admin delete anyone’s post', async () => {
    const created = await createPost(api, owner.accessToken, {
      assetId: await mediaAsset(api, owner.id),
      title: 'Taken down',
    });
    expect(
      fieldOf(await api.gql(DELETE_POST, { id: created.id }, admin.accessToken), 'deleteVideoPost'),
    ).toBe(created.id);
    expect(await post(created.id, admin.accessToken)).toBeNull();
  });
});

describe('who sees which post', () => {
  let poster: TestUser;
  const ids: Record<'public' | 'unlisted' | 'private', string> = { public: '', unlisted: '', private: '' };
  beforeAll(async () => {
    poster = await registerAndSignIn(api, 'Poster');
    for (const visibility of ['public', 'unlisted', 'private'] as const) {
      const created = await createPost(api, poster.accessToken, {
        assetId: await mediaAsset(api, poster.id),
        title: `A ${visibility} video`,
        visibility,
      });
      ids[visibility] = created.id;
    }
  });

  it('videoPost: public and unlisted posts for anyone with the id, private ones for the owner and admins', async () => {
    for (const token of [undefined, stranger.accessToken]) {
      expect((await post(ids.public, token))?.title).toBe('A public video');
      expect((await post(ids.unlisted, token))?.title).toBe('A unlisted video');
      expect(await post(ids.private, token)).toBeNull();
    }
    for (const token of [poster.accessToken, admin.accessToken]) {
      expect((await post(ids.private, token))?.title).toBe('A private video');
    }
  });

  it('videos(userId): every post for the owner and admins, the public ones for everyone else', async () => {
    const titles = async (token?: string) => {
      const videos = fieldOf<{ totalCount: number; nodes: { title: string }[] }>(
        await api.gql(VIDEOS, { userId: poster.id }, token),
        'videos',
      );
      expect(videos.totalCount).toBe(videos.nodes.length);
      return videos.nodes.map((node) => node.title);
    };
    const newestFirst = ['A private video', 'A unlisted video', 'A public video'];
    expect(await titles(poster.accessToken)).toEqual(newestFirst);
    expect(await titles(admin.accessToken)).toEqual(newestFirst);
    expect(await titles(stranger.accessToken)).toEqual(['A public video']);
    expect(await titles()).toEqual(['A public video']);
  });

  it('videos(userId) pages newest first with cursors that neither skip nor repeat', async () => {
    type Page = {
      nodes: { id: string }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    };
    const first = fieldOf<Page>(
      await api.gql(VIDEOS, { userId: poster.id, page: { first: 2 } }, poster.accessToken),
      'videos',
    );
    expect(first.nodes.map((node) => node.id)).toEqual([ids.private, ids.unlisted]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = fieldOf<Page>(
      await api.gql(
        VIDEOS,
        { userId: poster.id, page: { first: 2, after: first.pageInfo.endCursor } },
        poster.accessToken,
      ),
      'videos',
    );
    expect(second.nodes.map((node) => node.id)).toEqual([ids.public]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('refuses a cursor it did not hand out, and a user id that is not one', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'nope'])).toString('base64url');
    const badCursor = await api.gql(VIDEOS, { userId: poster.id, page: { after: forged } });
    expect(errorCodes(badCursor)).toEqual(['VALIDATION/INVALID_CURSOR']);
    expect(errorCodes(await api.gql(VIDEOS, { userId: 'someone' }))).toEqual(['VALIDATION/INVALID_INPUT']);
  });
});
