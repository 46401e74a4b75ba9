import { z } from 'zod';

/**
 * An id as every chat use case takes it: a UUID, lower-cased. `z.uuid()` accepts capitals, and the
 * read model's uuid columns fold case while events, streams and the deciders compare text, so one
 * person spelled two ways would be two members on the write side and one row on the read side
 * (a batch that upserts that row twice is refused by PostgreSQL and stops the projection).
 */
export const chatId = z.uuid().transform((id) => id.toLowerCase());

export const idempotencyKey = z.string().min(8).max(128).nullish();
