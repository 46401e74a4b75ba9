import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { type MediaApp, startMediaApp } from '../../api/media/support.ts';
import { fieldOf } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import { mediaFixtures } from '../../support/media-fixtures.ts';
import { startTranscodingPipeline } from './support/pipeline.ts';

const REQUEST_UPLOAD = `mutation ($size: Float!) {
  requestUpload(kind: VIDEO, fileName: "launch.mp4", contentType: "video/mp4", size: $size) { assetId uploadUrl } }`;
const MEDIA = `query ($id: ID!) { media(id: $id) {
  status probe { height durationSeconds }
  manifest { hlsMaster { url } renditions(kinds: [VIDEO]) { name height url } } } }`;
const CREATE_POST = `mutation ($input: CreateVideoPostInput!) { createVideoPost(input: $input) { id } }`;
const POST = `query ($id: ID!) { videoPost(id: $id) { title visibility renditions { name url } } }`;

interface MediaView {
  status: string;
  probe: { height: number } | null;
  manifest: {
    hlsMaster: { url: string } | null;
    renditions: { name: string; height: number; url: string }[];
  } | null;
}

/**
 * Everything a client does, through GraphQL and HTTP only: ask for an upload, PUT the bytes, wait
 * for the transcoding saga (real worker, process manager, ffmpeg), fetch a rendition with a
 * range, follow the HLS master, and post the video.
 */
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

describe('a video from upload to post, through GraphQL and HTTP', () => {
  let api: MediaApp;
  let user: TestUser;
  let pipeline: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    api = await startMediaApp();
    user = await registerAndSignIn(api, 'Uploader');
    pipeline = await startTranscodingPipeline({
      runtime: api.runtime,
      storage: api.storage,
      log,
      name: 'media-e2e',
    });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
    await api?.close();
  });

  it('uploads, transcodes, delivers with ranges and HLS, and posts', async () => {
    const bytes = await readFile((await mediaFixtures()).video720p);
    const ticket = fieldOf<{ assetId: string; uploadUrl: string }>(
      await api.gql(REQUEST_UPLOAD, { size: bytes.length }, user.accessToken),
      'requestUpload',
    );
    const put = await api.put(ticket.uploadUrl, bytes, { 'content-type': 'video/mp4' });
    expect(put.statusCode).toBeLessThan(300);

    let media: MediaView | undefined;
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      media = fieldOf<MediaView>(await api.gql(MEDIA, { id: ticket.assetId }, user.accessToken), 'media');
      if (media.status === 'READY' || media.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(media?.status).toBe('READY');
    expect(media?.probe?.height).toBe(720);
    const heights = media?.manifest?.renditions.map((r) => r.height).sort((a, b) => a - b);
    expect(heights).toEqual([360, 480, 720]);

    const smallest = media?.manifest?.renditions.find((r) => r.height === 360);
    const ranged = await api.fetch(smallest?.url ?? '', { range: 'bytes=0-99' });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.headers['content-type']).toBe('video/mp4');
    expect(ranged.rawPayload.length).toBe(100);

    const master = await api.fetch(media?.manifest?.hlsMaster?.url ?? '');
    expect(master.statusCode).toBe(200);
    const variants = master.body.split('\n').filter((line) => line.startsWith('/media/'));
    expect(variants).toHaveLength(3);
    expect(variants.every((line) => line.includes('signature='))).toBe(true);

    const post = fieldOf<{ id: string }>(
      await api.gql(
        CREATE_POST,
        {
          input: {
            assetId: ticket.assetId,
            title: 'Launch day',
            description: 'Our new drink',
            tags: ['Launch'],
            visibility: 'public',
          },
        },
        user.accessToken,
      ),
      'createVideoPost',
    );
    const shown = fieldOf<{ title: string; renditions: { name: string; url: string }[] }>(
      await api.gql(POST, { id: post.id }),
      'videoPost',
    );
    expect(shown.title).toBe('Launch day');
    expect(shown.renditions.length).toBeGreaterThan(0);
    expect((await api.fetch(shown.renditions[0]?.url ?? '')).statusCode).toBe(200);
  }, 120_000);
});
