import { z } from 'zod';
import { SESSION_STATUSES } from '../../domain/mentorship/session-values.ts';

/**
 * The shapes the API accepts for mentorship sessions. The deciders check the values in depth
 * (duration 15..180, a future start, rating 1..5); these bound sizes loosely, so the deciders'
 * reasons (INVALID_DURATION, START_IN_PAST, INVALID_RATING) are what a caller usually sees.
 */
const idempotencyKey = z.string().min(8).max(128).nullish();
const id = z.uuid();

export const scheduleSessionInput = z.object({
  input: z.object({
    matchRequestId: id,
    startsAt: z.string().min(1).max(40),
    durationMinutes: z.number().int().min(-1_000_000).max(1_000_000),
  }),
  idempotencyKey,
});

export const sessionIdInput = z.object({ id, idempotencyKey });

export const cancelSessionInput = z.object({ id, reason: z.string().max(2_000).nullish(), idempotencyKey });

export const rateSessionInput = z.object({
  id,
  rating: z.number().int().min(-100).max(100),
  comment: z.string().max(10_000).nullish(),
  idempotencyKey,
});

export const sessionNotesInput = z.object({ id, notes: z.string().max(40_000), idempotencyKey });

export const sessionStatusFilter = z.enum(SESSION_STATUSES);
