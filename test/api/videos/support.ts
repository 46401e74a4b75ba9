import { createHash, randomUUID } from 'node:crypto';
import { definitionOf } from '../../../src/commands/event-codec.ts';
import { type MediaEvent, mediaEventCatalogue } from '../../../src/domain/media/media-events.ts';
import type { MediaKind, Rendition } from '../../../src/domain/media/media-values.ts';
import { mediaStream } from '../../../src/domain/media/streams.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';

/** The GraphQL operations the video post tests use, in one place. */
export const POST_FIELDS = `id ownerId assetId title description tags visibility createdAt updatedAt`;
export const CREATE_POST = `mutation ($input: CreateVideoPostInput!, $key: String) {
  createVideoPost(input: $input, idempotencyKey: $key) { ${POST_FIELDS} } }`;
export const UPDATE_POST = `mutation ($id: ID!, $input: UpdateVideoPostInput!) {
  updateVideoPost(id: $id, input: $input) { ${POST_FIELDS} } }`;
export const DELETE_POST = `mutation ($id: ID!) { deleteVideoPost(id: $id) }`;
export const VIDEO_POST = `query ($id: ID!) { videoPost(id: $id) { ${POST_FIELDS} } }`;
export const VIDEOS = `query ($userId: ID!, $page: PageInput) {
  videos(userId: $userId, page: $page) {
    totalCount nodes { id title visibility }
    pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
export const SEARCH = `query ($query: String!, $page: PageInput) {
  searchVideos(query: $query, page: $page) {
    totalCount edges { cursor rank headline node { id title visibility ownerId } }
    pageInfo { hasNextPage endCursor } } }`;

export interface PostView {
  id: string;
  ownerId: string;
  assetId: string;
  title: string;
  description: string;
  tags: string[];
  visibility: string;
  createdAt: string;
  updatedAt: string;
}

export interface AssetOptions {
  kind?: MediaKind;
  /** How far processing got: `ready` (default), `processing` (uploaded, not done) or `deleted`. */
  stage?: 'processing' | 'ready' | 'deleted';
}

/**
 * A media asset of `ownerId`, its events appended straight to its stream, as the upload route and
 * the transcoding saga would have left them: video posts are tested without running the saga.
 */
export async function mediaAsset(api: IdentityApp, ownerId: string, options: AssetOptions = {}) {
  const assetId = randomUUID();
  const kind = options.kind ?? 'video';
  const stage = options.stage ?? 'ready';
  const events: MediaEvent[] = [
    {
      type: 'MediaUploadRequested',
      data: {
        assetId,
        ownerId,
        kind,
        fileName: kind === 'video' ? 'kickflip.mp4' : 'photo.png',
        contentType: kind === 'video' ? 'video/mp4' : 'image/png',
        declaredSize: 140_000,
        expiresAt: '2026-01-01T00:10:00.000Z',
      },
    },
    {
      type: 'MediaUploaded',
      data: {
        assetId,
        storageKey: `media/${assetId}/original`,
        size: 140_000,
        sha256: digest('original'),
        detectedContentType: kind === 'video' ? 'video/mp4' : 'image/png',
      },
    },
    { type: 'MediaProcessingStarted', data: { assetId } },
  ];
  if (stage !== 'processing') {
    events.push(
      {
        type: 'MediaProbed',
        data: {
          assetId,
          formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
          durationSeconds: 3,
          width: 1280,
          height: 720,
          videoCodec: 'h264',
          audioCodec: 'aac',
          bitrate: 370_000,
        },
      },
      {
        type: 'MediaReady',
        data: {
          assetId,
          manifest: {
            renditions: renditionsOf(assetId),
            hlsMaster: 'hls-master',
            poster: 'poster-jpeg',
          },
        },
      },
    );
  }
  if (stage === 'deleted') events.push({ type: 'MediaDeleted', data: { assetId, deletedBy: ownerId } });
  const position = await append(api, mediaStream(assetId), events);
  // The media read model (renditions) catches up before the test reads a post of this asset.
  await waitForPosition(api.runtime.pool, api.runtime.bus, position, { timeoutMs: 5_000 });
  return assetId;
}

/** The ladder of a 720p source: no 1080p, HLS over 720p and 360p, a poster and a thumbnail. */
function renditionsOf(assetId: string): Rendition[] {
  const rendition = (
    name: string,
    kind: Rendition['kind'],
    contentType: string,
    size: { width: number; height: number } | null,
  ): Rendition => ({
    name,
    kind,
    storageKey: `media/${assetId}/renditions/${name}`,
    contentType,
    width: size?.width ?? null,
    height: size?.height ?? null,
    bitrate: kind === 'video' ? 1_000_000 : null,
    durationSeconds: kind === 'video' ? 3 : null,
    size: 1_000,
    sha256: digest(name),
  });
  return [
    rendition('720p', 'video', 'video/mp4', { width: 1280, height: 720 }),
    rendition('360p', 'video', 'video/mp4', { width: 640, height: 360 }),
    rendition('hls-master', 'hls', 'application/vnd.apple.mpegurl', null),
    rendition('hls-720p-playlist', 'hls', 'application/vnd.apple.mpegurl', null),
    rendition('hls-720p-seg-00001', 'hls', 'video/mp2t', null),
    rendition('poster-jpeg', 'image', 'image/jpeg', { width: 1280, height: 720 }),
    rendition('thumb-320-webp', 'thumbnail', 'image/webp', { width: 320, height: 180 }),
  ];
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** The asset deleted after the fact, as `deleteMedia` would record it. */
export async function deleteAsset(api: IdentityApp, assetId: string, deletedBy: string) {
  const position = await append(api, mediaStream(assetId), [
    { type: 'MediaDeleted', data: { assetId, deletedBy } },
  ]);
  await waitForPosition(api.runtime.pool, api.runtime.bus, position, { timeoutMs: 5_000 });
}

async function append(api: IdentityApp, stream: string, events: MediaEvent[]): Promise<bigint> {
  const { store, codec } = api.runtime;
  const commandId = randomUUID();
  const metadata = {
    commandId,
    correlationId: commandId,
    causationId: commandId,
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
  };
  const encoded = await Promise.all(
    events.map((event) => {
      const definition = definitionOf(mediaEventCatalogue, event.type);
      if (!definition) throw new Error(`${event.type} is not a media event`);
      return codec.encode(definition, event, metadata, randomUUID());
    }),
  );
  const { position } = await store.append(stream, encoded);
  return position;
}

export async function createPost(
  api: IdentityApp,
  token: string,
  input: { assetId: string; title: string; description?: string; tags?: string[]; visibility?: string },
): Promise<PostView> {
  return fieldOf<PostView>(await api.gql(CREATE_POST, { input }, token), 'createVideoPost');
}
