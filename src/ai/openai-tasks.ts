import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import { type AiInputOf, type AiKind, type AiOutputOf, aiOutputSchemas } from './provider.ts';
import {
  ALT_TEXT_MAX,
  type BrandIdentity,
  CONTENT_TITLE_MAX,
  KEYWORDS_MAX,
  SEO_DESCRIPTION_MAX,
  SEO_TITLE_MAX,
  SUGGESTED_TITLE_MAX,
} from './schemas.ts';
import { shorten } from './text.ts';

/**
 * What the model is asked for each kind of generation: the messages, the schema its reply must
 * match (also sent as the structured-output format), and `fit`, which repairs near-misses before
 * validation. Models count characters badly, so a string a little over its limit is shortened at
 * a word boundary instead of failing the whole generation; anything structurally wrong still fails.
 */
export interface StructuredTask<Input, Output> {
  /** The response format's name: letters, digits, `_` and `-`. */
  name: string;
  messages(input: Input): ChatCompletionMessageParam[];
  schema(input: Input): z.ZodType<Output>;
  fit(raw: unknown, input: Input): unknown;
}

/** A task of one of the recorded generation kinds (see `AiKinds`). */
export type ModelTask<Kind extends AiKind> = StructuredTask<AiInputOf<Kind>, AiOutputOf<Kind>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Applies `change` to the named string properties of a reply that is an object; leaves the rest alone. */
function fitStrings(raw: unknown, limits: Record<string, (value: string) => string>): unknown {
  if (!isRecord(raw)) return raw;
  const fitted: Record<string, unknown> = { ...raw };
  for (const [key, change] of Object.entries(limits)) {
    const value = fitted[key];
    if (typeof value === 'string') fitted[key] = change(value);
  }
  return fitted;
}

const list = (items: readonly string[]) => items.map((item) => `- ${item}`).join('\n');

function brandBrief(brand: BrandIdentity): string {
  return [
    `Brand: ${brand.name}`,
    `Tone of voice: ${brand.toneOfVoice || 'not specified'}`,
    `Language: ${brand.language}; readers in: ${brand.country}`,
    brand.guardrails.length > 0
      ? `Guardrails (never break them):\n${list(brand.guardrails)}`
      : 'Guardrails: none given',
  ].join('\n');
}

const NO_INVENTION =
  'Use only facts the user gives you: do not invent figures, prices, dates, quotes, or product claims.';

const content: ModelTask<'content'> = {
  name: 'content',
  messages: ({ brand, template, brief }) => [
    {
      role: 'system',
      content: [
        `You write marketing content in the voice of the brand below, in ${brand.language}.`,
        brandBrief(brand),
        `Fill the template "${template.name}": a "title" and, under "fields", one text per field:`,
        list(
          template.fields.map((f) => `${f.key} (${f.label})${f.instructions ? `: ${f.instructions}` : ''}`),
        ),
        NO_INVENTION,
      ].join('\n\n'),
    },
    { role: 'user', content: `Brief:\n${brief}` },
  ],
  schema: aiOutputSchemas.content,
  fit: (raw) => fitStrings(raw, { title: (title) => shorten(title, CONTENT_TITLE_MAX) }),
};

const metadata: ModelTask<'metadata'> = {
  name: 'seo_metadata',
  messages: ({ title, text, language }) => [
    {
      role: 'system',
      content: [
        `You write search-engine metadata in ${language} for the text the user gives you.`,
        `seoTitle: at most ${SEO_TITLE_MAX} characters. seoDescription: at most ${SEO_DESCRIPTION_MAX} characters, one or two sentences that make people want to read on.`,
        `keywords: up to ${KEYWORDS_MAX} search terms, lower case, the most relevant first.`,
        NO_INVENTION,
      ].join('\n'),
    },
    { role: 'user', content: `Title: ${title}\n\nText:\n${text}` },
  ],
  schema: aiOutputSchemas.metadata,
  fit: (raw) => {
    const fitted = fitStrings(raw, {
      seoTitle: (value) => shorten(value, SEO_TITLE_MAX),
      seoDescription: (value) => shorten(value, SEO_DESCRIPTION_MAX, { ellipsis: true }),
    });
    if (!isRecord(fitted) || !Array.isArray(fitted.keywords)) return fitted;
    const keywords = [...new Set(fitted.keywords)].slice(0, KEYWORDS_MAX);
    return { ...fitted, keywords };
  },
};

const altText: ModelTask<'alt_text'> = {
  name: 'alt_text',
  messages: ({ imageDescription, imageUrl, language }) => [
    {
      role: 'system',
      content: [
        `You write alt text for images, in ${language}, for people using screen readers.`,
        `At most ${ALT_TEXT_MAX} characters. Say what the image shows and why it matters; do not start with "Image of" or "Picture of".`,
        'If all you have is a URL, describe only what its file name tells you; do not guess.',
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        imageDescription ? `Image description: ${imageDescription}` : undefined,
        imageUrl ? `Image URL: ${imageUrl}` : undefined,
      ]
        .filter((line) => line !== undefined)
        .join('\n'),
    },
  ],
  schema: aiOutputSchemas.alt_text,
  fit: (raw) => fitStrings(raw, { altText: (value) => shorten(value, ALT_TEXT_MAX) }),
};

const transcreation: ModelTask<'transcreation'> = {
  name: 'transcreation',
  messages: ({ brand, sourceLanguage, targetLanguage, title, fields }) => [
    {
      role: 'system',
      content: [
        `You transcreate marketing copy from ${sourceLanguage} into ${targetLanguage} for the brand below.`,
        'Adapt idioms, references and wording to the target readers instead of translating word for word; keep the meaning, every fact and every claim exactly, and keep the brand name as it is. Do not add claims.',
        brandBrief(brand),
        'Return the "title" and every field under "fields" with the same keys.',
      ].join('\n\n'),
    },
    { role: 'user', content: JSON.stringify({ title, fields }) },
  ],
  schema: aiOutputSchemas.transcreation,
  fit: (raw) => fitStrings(raw, { title: (title) => shorten(title, CONTENT_TITLE_MAX) }),
};

const claimsReview: ModelTask<'claims_review'> = {
  name: 'claims_review',
  messages: ({ country, guardrails, masterClaims, text }) => [
    {
      role: 'system',
      content: [
        `You review marketing copy before it is published in ${country}. List every issue:`,
        '- kind "guardrail": a passage that breaks one of the guardrails below (name the guardrail in the explanation);',
        '- kind "unapproved_claim": a claim (efficacy, health, scientific, numeric, comparative, superlative, guarantee) that no approved master claim below supports, in wording or in substance; a claim that changes the figures or strengthens an approved claim is unapproved.',
        'excerpt: the passage, quoted exactly. "compliant" is true exactly when there are no issues.',
        guardrails.length > 0 ? `Guardrails:\n${list(guardrails)}` : 'Guardrails: none',
        masterClaims.length > 0
          ? `Master claims approved for ${country}:\n${list(masterClaims.map((c) => `[${c.claimId}] ${c.text}`))}`
          : `No master claims are approved for ${country}: every claim is unapproved.`,
      ].join('\n\n'),
    },
    { role: 'user', content: text },
  ],
  schema: aiOutputSchemas.claims_review,
  // The verdict follows from the issues, whatever the model said it was.
  fit: (raw) =>
    isRecord(raw) && Array.isArray(raw.issues) ? { ...raw, compliant: raw.issues.length === 0 } : raw,
};

const titles: ModelTask<'titles'> = {
  name: 'titles',
  messages: ({ text, count, language }) => [
    {
      role: 'system',
      content: [
        `Suggest exactly ${count} distinct titles for the text the user gives you, in ${language ?? 'the language of the text'}.`,
        `Each at most ${SUGGESTED_TITLE_MAX} characters; accurate to the text, no clickbait.`,
      ].join('\n'),
    },
    { role: 'user', content: text },
  ],
  schema: aiOutputSchemas.titles,
  fit: (raw, { count }) => {
    if (!isRecord(raw) || !Array.isArray(raw.titles)) return raw;
    const suggested = raw.titles.map((title) =>
      typeof title === 'string' ? shorten(title, SUGGESTED_TITLE_MAX) : title,
    );
    return { ...raw, titles: [...new Set(suggested)].slice(0, count) };
  },
};

export const MODEL_TASKS: { [Kind in AiKind]: ModelTask<Kind> } = {
  content,
  metadata,
  alt_text: altText,
  transcreation,
  claims_review: claimsReview,
  titles,
};
