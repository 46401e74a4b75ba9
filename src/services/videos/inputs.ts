import { z } from 'zod';
import { VIDEO_VISIBILITIES } from '../../domain/videos/video-values.ts';

/**
 * The shapes the API accepts for video posts. The decider checks the values in depth (title,
 * description and tag rules, after normalising); these only bound sizes, loosely enough that the
 * decider's reasons (INVALID_TITLE, TOO_MANY_TAGS, ...) are what a caller usually sees.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const id = z.uuid();

const title = z.string().max(1_000);
const description = z.string().max(20_000);
const tags = z.array(z.string().max(200)).max(100);
const visibility = z.enum(VIDEO_VISIBILITIES);

export const createVideoPostInput = z.object({
  input: z.object({
    assetId: id,
    title,
    description: description.nullish(),
    tags: tags.nullish(),
    visibility: visibility.nullish(),
  }),
  idempotencyKey,
});

export const updateVideoPostInput = z.object({
  id,
  input: z.object({
    title: title.nullish(),
    description: description.nullish(),
    tags: tags.nullish(),
    visibility: visibility.nullish(),
  }),
  idempotencyKey,
});

export const videoPostIdInput = z.object({ id, idempotencyKey });
