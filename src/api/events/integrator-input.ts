import { z } from 'zod';
import { PUBLIC_EVENT_TYPES } from './catalogues.ts';

const MAX_POSITION = 2n ** 63n - 1n;

/**
 * The zod pieces every integrator entry point checks alike (`GET /events` and the GraphQL `events`
 * subscription). A position is the decimal string each event carries: exclusive,
 * so passing the last one received resumes right after it.
 */
export const positionInput = z
  .string()
  .regex(/^\d{1,19}$/, 'Expected a position: that of the last event received (its `position`, or its SSE id)')
  .transform((text) => BigInt(text))
  .refine((value) => value <= MAX_POSITION, 'Position out of range');

/** One of PUBLIC_EVENT_TYPES; private and unknown types get the same answer. */
export const publicEventTypeInput = z.string().refine((type) => PUBLIC_EVENT_TYPES.includes(type), {
  error: (issue) => `${String(issue.input)} is not a public event type`,
});

export const streamPrefixInput = z.string().min(1).max(200);
