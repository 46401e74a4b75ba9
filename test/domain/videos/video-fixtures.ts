import type { VideoAssetFacts, VideoPostCommand } from '../../../src/domain/videos/video-commands.ts';
import type { VideoPostEvent, VideoPostEventOf } from '../../../src/domain/videos/video-events.ts';
import { asUser, by, theSystem } from '../support/actors.ts';

/** Fixed ids and a fixed `now`: every spec's events are fully determined. */
export const POST_ID = '1f4c6a20-8b3d-4e57-9a61-2c7d8e9f0a1b';
export const ASSET_ID = '2a5d7b31-9c4e-4f68-8b72-3d8e9fa01b2c';
export const OWNER_ID = '3b6e8c42-ad5f-4079-9c83-4e9fa0b12c3d';
export const STRANGER_ID = '4c7f9d53-be60-418a-8d94-5fa0b1c23d4e';
export const ADMIN_ID = '5d80ae64-cf71-429b-9ea5-60b1c2d34e5f';

export const now = new Date('2025-06-02T09:30:00.000Z');

export const owner = by(asUser(OWNER_ID), now);
export const stranger = by(asUser(STRANGER_ID), now);
export const admin = by(asUser(ADMIN_ID, 'admin'), now);
export const moderator = by(asUser(STRANGER_ID, 'moderator'), now);
export const cleanup = by(theSystem('media-cleanup'), now);

export const readyVideo = (overrides: Partial<VideoAssetFacts> = {}): VideoAssetFacts => ({
  assetId: ASSET_ID,
  ownerId: OWNER_ID,
  kind: 'video',
  status: 'ready',
  ...overrides,
});

export const details = {
  title: 'Kickflip at the river',
  description: 'First clean landing after a week of trying.',
  tags: ['skate', 'kickflip'],
  visibility: 'public' as const,
};

type CreateVideoPost = Extract<VideoPostCommand, { type: 'CreateVideoPost' }>;
export const create = (overrides: Partial<CreateVideoPost> = {}): CreateVideoPost => ({
  type: 'CreateVideoPost',
  postId: POST_ID,
  assetId: ASSET_ID,
  asset: readyVideo(),
  ...details,
  ...overrides,
});

export const update = (
  changes: Omit<Extract<VideoPostCommand, { type: 'UpdateVideoPost' }>, 'type'>,
): VideoPostCommand => ({ type: 'UpdateVideoPost', ...changes });

export const remove: VideoPostCommand = { type: 'DeleteVideoPost' };

// ---- history --------------------------------------------------------------------------------------

export const created = (
  overrides: Partial<VideoPostEventOf<'VideoPostCreated'>['data']> = {},
): VideoPostEventOf<'VideoPostCreated'> => ({
  type: 'VideoPostCreated',
  data: { postId: POST_ID, ownerId: OWNER_ID, assetId: ASSET_ID, ...details, ...overrides },
});

export const updated = (
  changes: VideoPostEventOf<'VideoPostUpdated'>['data']['changes'],
): VideoPostEvent => ({
  type: 'VideoPostUpdated',
  data: { postId: POST_ID, changes },
});

export const deleted = (deletedBy = OWNER_ID): VideoPostEvent => ({
  type: 'VideoPostDeleted',
  data: { postId: POST_ID, deletedBy },
});

export const live = (): VideoPostEvent[] => [created()];
export const gone = (): VideoPostEvent[] => [created(), deleted()];
