import { z } from 'zod';

/**
 * What goes into and comes out of the AI provider, as zod schemas. Inputs are validated before a
 * provider sees them; outputs are validated whichever provider produced them, so a caller can rely
 * on the limits below (SEO title ≤ 60 characters, …) without checking again.
 */

export const SEO_TITLE_MAX = 60;
export const SEO_DESCRIPTION_MAX = 160;
export const KEYWORDS_MAX = 10;
export const ALT_TEXT_MAX = 125;
export const TITLES_MAX = 10;
export const SUGGESTED_TITLE_MAX = 120;
export const CONTENT_TITLE_MAX = 200;

const text = (max: number) => z.string().trim().min(1).max(max);
const language = z.string().trim().min(2).max(35);
const country = z.string().trim().min(2).max(10);
/** Field keys become JSON property names in the model's response schema: keep them plain. */
const fieldKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter and hold only letters, digits and _');

export const brandIdentitySchema = z.object({
  name: text(200),
  toneOfVoice: z.string().trim().max(5000),
  guardrails: z.array(text(500)).max(50),
  language,
  country,
});

export const templateSchema = z.object({
  name: text(200),
  fields: z
    .array(z.object({ key: fieldKey, label: text(200), instructions: z.string().trim().max(2000) }))
    .min(1)
    .max(30)
    .refine(
      (fields) => new Set(fields.map((f) => f.key)).size === fields.length,
      'field keys must be unique',
    ),
});

export const contentInputSchema = z.object({
  brand: brandIdentitySchema,
  template: templateSchema,
  brief: text(10_000),
});

/** `text` may be empty (content whose fields are not written yet): the title alone then has to do. */
export const metadataInputSchema = z.object({
  title: text(500),
  text: z.string().trim().max(50_000),
  language,
});

export const altTextInputSchema = z
  .object({
    imageDescription: text(2000).optional(),
    imageUrl: z.url().max(2000).optional(),
    language,
  })
  .refine((input) => input.imageDescription !== undefined || input.imageUrl !== undefined, {
    message: 'give an image description or an image URL',
  });

const fieldValues = z
  .record(fieldKey, z.string().max(50_000))
  .refine((fields) => Object.keys(fields).length <= 30, 'at most 30 fields');

export const transcreationInputSchema = z.object({
  title: text(500),
  fields: fieldValues,
  sourceLanguage: language,
  targetLanguage: language,
  brand: brandIdentitySchema,
});

export const claimsReviewInputSchema = z.object({
  text: text(50_000),
  country,
  guardrails: z.array(text(500)).max(50),
  masterClaims: z.array(z.object({ claimId: text(100), text: text(2000) })).max(500),
});

export const titlesInputSchema = z.object({
  text: text(50_000),
  count: z.number().int().min(1).max(TITLES_MAX),
  /** The language to write the titles in; the local provider falls back to English without it. */
  language: language.optional(),
});

/** The content a template asks for: a title and exactly the template's fields. */
export function contentOutputSchema(fieldKeys: readonly string[]) {
  return z.object({
    title: text(CONTENT_TITLE_MAX),
    fields: z.strictObject(Object.fromEntries(fieldKeys.map((key) => [key, z.string().trim()]))),
  });
}

export const metadataOutputSchema = z.object({
  seoTitle: text(SEO_TITLE_MAX),
  seoDescription: text(SEO_DESCRIPTION_MAX),
  keywords: z.array(text(80)).max(KEYWORDS_MAX),
});

export const altTextOutputSchema = z.object({ altText: text(ALT_TEXT_MAX) });

export const claimsReviewOutputSchema = z
  .object({
    compliant: z.boolean(),
    issues: z.array(
      z.object({
        kind: z.enum(['guardrail', 'unapproved_claim']),
        excerpt: text(2000),
        explanation: text(2000),
      }),
    ),
  })
  .refine((review) => review.compliant === (review.issues.length === 0), {
    message: 'a review is compliant exactly when it lists no issues',
  });

export const titlesOutputSchema = (count: number) =>
  z.object({ titles: z.array(text(SUGGESTED_TITLE_MAX)).min(1).max(count) });

export type BrandIdentity = z.infer<typeof brandIdentitySchema>;
export type Template = z.infer<typeof templateSchema>;
export type ContentInput = z.infer<typeof contentInputSchema>;
export type MetadataInput = z.infer<typeof metadataInputSchema>;
export type AltTextInput = z.infer<typeof altTextInputSchema>;
export type TranscreationInput = z.infer<typeof transcreationInputSchema>;
export type ClaimsReviewInput = z.infer<typeof claimsReviewInputSchema>;
export type TitlesInput = z.infer<typeof titlesInputSchema>;

export type ContentOutput = { title: string; fields: Record<string, string> };
export type MetadataOutput = z.infer<typeof metadataOutputSchema>;
export type AltTextOutput = z.infer<typeof altTextOutputSchema>;
export type TranscreationOutput = ContentOutput;
export type ClaimsReviewOutput = z.infer<typeof claimsReviewOutputSchema>;
export type ClaimsIssue = ClaimsReviewOutput['issues'][number];
export type TitlesOutput = z.infer<ReturnType<typeof titlesOutputSchema>>;
