import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { type MediaApp, startMediaApp } from '../../api/media/support.ts';
import { fieldOf } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import { mediaFixtures } from '../../support/media-fixtures.ts';
import { startTranscodingPipeline } from './support/pipeline.ts';

const REQUEST_UPLOAD = `mutation ($size: Float!) {
  requestUpload(kind: IMAGE, fileName: "me.png", contentType: "image/png", size: $size) { assetId uploadUrl } }`;
const STATUS = `query ($id: ID!) { media(id: $id) { status } }`;
const SQUARES = `{ name width height contentType url }`;
const SET_AVATAR = `mutation ($assetId: ID!) { setAvatar(assetId: $assetId) {
  avatar { name } large: avatarSquare(size: LARGE) ${SQUARES} small: avatarSquare(size: SMALL) ${SQUARES} } }`;
const PROFILE = `query ($id: ID!) { profile(id: $id) {
  large: avatarSquare ${SQUARES} small: avatarSquare(size: SMALL) ${SQUARES} } }`;

interface Square {
  name: string;
  width: number;
  height: number;
  contentType: string;
  url: string;
}

interface AvatarView {
  avatar?: { name: string }[];
  large: Square | null;
  small: Square | null;
}

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

/**
 * A 1280x720 PNG uploaded through GraphQL and HTTP, processed by the real saga (worker, process
 * manager, sharp), set as an avatar, and its square crops fetched by their signed URLs and decoded.
 */
describe('an avatar’s square crops, from upload to profile', () => {
  let api: MediaApp;
  let user: TestUser;
  let pipeline: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    api = await startMediaApp();
    user = await registerAndSignIn(api, 'Avatar');
    pipeline = await startTranscodingPipeline({
      runtime: api.runtime,
      storage: api.storage,
      log,
      name: 'avatar',
    });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
    await api?.close();
  });

  it('shows a non-square image as 256x256 and 64x64 WebP squares that really are square', async () => {
    const bytes = await readFile((await mediaFixtures()).png);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 1280, height: 720 });
    const ticket = fieldOf<{ assetId: string; uploadUrl: string }>(
      await api.gql(REQUEST_UPLOAD, { size: bytes.length }, user.accessToken),
      'requestUpload',
    );
    expect((await api.put(ticket.uploadUrl, bytes, { 'content-type': 'image/png' })).statusCode).toBeLessThan(
      300,
    );

    let status = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      status = fieldOf<{ status: string }>(
        await api.gql(STATUS, { id: ticket.assetId }, user.accessToken),
        'media',
      ).status;
      if (status === 'READY' || status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe('READY');

    const set = fieldOf<AvatarView>(
      await api.gql(SET_AVATAR, { assetId: ticket.assetId }, user.accessToken),
      'setAvatar',
    );
    // The existing list still has every rendition, the wide ladder and the squares.
    expect(set.avatar?.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['image-1080-webp', 'image-480-avif', 'square-256-webp', 'square-64-webp']),
    );
    // Anyone reading the profile, signed in or not, gets the same squares.
    const shown = fieldOf<AvatarView>(await api.gql(PROFILE, { id: user.id }), 'profile');
    for (const [square, side] of [
      [shown.large, 256],
      [shown.small, 64],
    ] as const) {
      expect(square).toMatchObject({ width: side, height: side, contentType: 'image/webp' });
      const fetched = await api.fetch(square?.url ?? '');
      expect(fetched.statusCode).toBe(200);
      expect(fetched.headers['content-type']).toBe('image/webp');
      const decoded = await sharp(fetched.rawPayload).metadata();
      expect([decoded.format, decoded.width, decoded.height]).toEqual(['webp', side, side]);
    }
    expect(set.large?.name).toBe('square-256-webp');
    expect(set.small?.name).toBe('square-64-webp');
  }, 120_000);
});
