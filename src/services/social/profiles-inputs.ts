import { z } from 'zod';

/**
 * The shapes the API accepts for profiles. The decider checks a username in depth (after
 * normalising); this only bounds its size loosely, so its reasons are what a caller sees.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();

export const setUsernameInput = z.object({ username: z.string().max(200), idempotencyKey });

export const setAvatarInput = z.object({ assetId: z.uuid(), idempotencyKey });

export const removeAvatarInput = z.object({ idempotencyKey });
