import { z } from 'zod';

/** The values a piece of content is made of; events and command validation share these schemas. */

export const CONTENT_STATUSES = [
  'draft',
  'in_review',
  'approved',
  'scheduled',
  'publishing',
  'published',
  'archived',
] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

export const MAX_FIELDS = 50;
export const MAX_FIELD_KEY_LENGTH = 64;
export const MAX_FIELD_VALUE_LENGTH = 100_000;

/** 1..200 characters, no angle brackets: titles end up in HTML and feeds verbatim. */
export const contentTitle = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^<>]*$/, 'a title may not contain < or >');

export const fieldKey = z.string().min(1).max(MAX_FIELD_KEY_LENGTH);
export const contentField = z.object({ key: fieldKey, value: z.string().max(MAX_FIELD_VALUE_LENGTH) });
export type ContentField = z.infer<typeof contentField>;

/**
 * A content's fields in the order its author gave them. A list, not a key → text record: a JSON
 * object stored as `jsonb` (the event store, the read models) keeps no key order, and a JavaScript
 * object puts integer-like keys first, so only a list keeps "body, then cta" as it was written.
 */
export const contentFields = z
  .array(contentField)
  .max(MAX_FIELDS, `at most ${MAX_FIELDS} fields`)
  .refine(
    (fields) => new Set(fields.map((field) => field.key)).size === fields.length,
    'field keys are unique',
  );
export type ContentFields = z.infer<typeof contentFields>;

/**
 * Fields as a list, from either form: the list, or the key → text record that events of schema
 * version 1 (and publishing sagas started before the list) hold. The record's order is whatever
 * storage left of it: that order was lost when it was stored and cannot be recovered.
 */
export function fieldListOf(fields: unknown): ContentFields {
  if (Array.isArray(fields)) return fields as ContentFields;
  if (fields === null || typeof fields !== 'object') return [];
  return Object.entries(fields).map(([key, value]) => ({ key, value: String(value) }));
}

/** The texts of the fields, in order. */
export const fieldTexts = (fields: ContentFields): string[] => fields.map((field) => field.value);

export const contentMetadata = z.object({
  seoTitle: z.string().max(200).nullable(),
  seoDescription: z.string().max(1000).nullable(),
  keywords: z.array(z.string().trim().min(1).max(100)).max(50),
});
export type ContentMetadata = z.infer<typeof contentMetadata>;

export const EMPTY_METADATA: ContentMetadata = { seoTitle: null, seoDescription: null, keywords: [] };

export const contentTypeRef = z.string().trim().min(1).max(64);
export const templateRef = z.string().min(1).max(200);

export const versionNumber = z.number().int().min(1);

export const reviewComment = z.string().max(2000);
export const rejectionReason = z.string().trim().min(1).max(2000);

/** The publishing saga's stages, as recorded for progress. */
export const PUBLISH_STEPS = [
  'validate',
  'compliance',
  'metadata',
  'channels',
  'notify',
  'compensate',
] as const;
export type PublishStep = (typeof PUBLISH_STEPS)[number];
export const PUBLISH_STEP_OUTCOMES = ['started', 'completed', 'failed'] as const;
export type PublishStepOutcome = (typeof PUBLISH_STEP_OUTCOMES)[number];
/** Where a publication can fail: before publishing anything, or on the channels. */
export const PUBLISH_FAILURE_STAGES = ['validate', 'compliance', 'channels'] as const;
export type PublishFailureStage = (typeof PUBLISH_FAILURE_STAGES)[number];
export const NOTIFICATION_OUTCOMES = ['published', 'failed'] as const;
export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** How one attempt to deliver the content to a channel ended. */
export const DELIVERY_OUTCOMES = ['delivered', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/**
 * Why a delivery failed, coarsely: the brand's members read it, so it says what kind of failure
 * it was and the HTTP status, never what the target answered or how its network looks.
 * `http_status`: the receiver answered with an error status (`status`); `unreachable`: no
 * connection or no answer; `timeout`: the attempt ran out of time (its worker may have died);
 * `target_not_allowed`: the URL leads somewhere webhooks may not go; `cancelled`: the attempt
 * was called off; `other`: anything else (a refusal to record the channel, say).
 */
export const DELIVERY_FAILURE_REASONS = [
  'http_status',
  'unreachable',
  'timeout',
  'target_not_allowed',
  'cancelled',
  'other',
] as const;
export type DeliveryFailureReason = (typeof DELIVERY_FAILURE_REASONS)[number];
export const deliveryFailure = z.object({
  reason: z.enum(DELIVERY_FAILURE_REASONS),
  status: z.number().int().min(100).max(599).nullable(),
});
export type DeliveryFailure = z.infer<typeof deliveryFailure>;

/** Attempts are numbered from 1, as Temporal numbers an activity's attempts. */
export const attemptNumber = z.number().int().min(1);
