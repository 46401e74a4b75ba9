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
export const contentFields = z
  .record(fieldKey, z.string().max(MAX_FIELD_VALUE_LENGTH))
  .refine((fields) => Object.keys(fields).length <= MAX_FIELDS, `at most ${MAX_FIELDS} fields`);
export type ContentFields = z.infer<typeof contentFields>;

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
