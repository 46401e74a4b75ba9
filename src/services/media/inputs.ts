import { z } from 'zod';
import { MEDIA_KINDS } from '../../domain/media/media-values.ts';

/**
 * The shapes the API accepts for media. The decider checks the values in depth (file name rules,
 * types per kind, limits); these bound sizes. Kinds arrive as GraphQL enum values (`VIDEO`).
 */
const idempotencyKey = z.string().min(8).max(128).nullish();

export const requestUploadInput = z.object({
  kind: z
    .string()
    .transform((kind) => kind.toLowerCase())
    .pipe(z.enum(MEDIA_KINDS)),
  fileName: z.string().max(1_000),
  contentType: z.string().max(255),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  idempotencyKey,
});

export const mediaIdInput = z.object({ id: z.uuid(), idempotencyKey });
