import { z } from 'zod';

/**
 * The values an integrator webhook is made of. The event schemas are built from them and the
 * decider validates commands with them, so what is accepted and what is stored never drift apart.
 */

/** Long enough for capability URLs with a token in the path, short enough to stay an address. */
export const MAX_URL_LENGTH = 2_048;
/** More types than any context publishes today; a longer list is a mistake, not a need. */
export const MAX_TYPES = 50;
export const MAX_STREAM_PREFIX_LENGTH = 200;
/** Webhooks one person may have at once (deleted ones do not count). */
export const MAX_WEBHOOKS_PER_OWNER = 10;
/** Failure texts kept on a dead letter. */
export const MAX_FAILURE_LENGTH = 2_000;

/** `paused`: by its owner; `suspended`: by Chronicle, when the owner lost access to what it sends. */
export const WEBHOOK_STATUSES = ['active', 'paused', 'suspended', 'deleted'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/**
 * Why Chronicle suspended a webhook. OWNER_INACTIVE: the owner was deactivated (or is unknown);
 * ADMIN_ONLY: it sends admin-only types and its owner is no longer an admin; TARGET_NOT_ALLOWED:
 * its URL now resolves to an address the outbound policy refuses.
 */
export const SUSPENSION_REASONS = ['OWNER_INACTIVE', 'ADMIN_ONLY', 'TARGET_NOT_ALLOWED'] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

/** A global position as a decimal string (JSON has no bigint); `0` is before the first event. */
export const position = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'a position is a decimal integer');

export const webhookUrl = z.string().min(1).max(MAX_URL_LENGTH);
export const eventTypes = z
  .array(z.string().min(1).max(100))
  .min(1)
  .max(MAX_TYPES)
  .refine((types) => new Set(types).size === types.length, 'types are unique');
export const streamPrefix = z.string().min(1).max(MAX_STREAM_PREFIX_LENGTH);
