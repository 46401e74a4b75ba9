import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TITLES_MAX } from '../../ai/schemas.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { atLeast, brandAccessOf } from '../../domain/brands/brand-access.ts';
import { brandAggregate } from '../../domain/brands/brand-decider.ts';
import type { Brand } from '../../domain/brands/brand-state.ts';
import { brandStream } from '../../domain/brands/streams.ts';
import { contentAggregate } from '../../domain/content/content-decider.ts';
import { fieldTexts } from '../../domain/content/content-values.ts';
import { contentStream } from '../../domain/content/streams.ts';
import { conflict, forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { runGeneration } from '../ai/run-generation.ts';
import type { PublishingDeps } from '../publishing-deps.ts';
import type { RequestContext } from '../shared/command-context.ts';

/**
 * AI generation for brand members who write content (editors and up): the brand's identity goes
 * into the request, the request and its outcome are recorded as events, and the caller may choose
 * the request id to follow `aiGenerationProgress` before asking.
 */
const requestId = z.uuid().nullish();

export const generateContentInput = z.object({
  input: z.object({
    brandId: z.uuid(),
    requestId,
    templateName: z.string().max(200),
    fields: z
      .array(
        z.object({
          key: z.string().max(64),
          label: z.string().max(200),
          instructions: z.string().max(2_000),
        }),
      )
      .max(30),
    brief: z.string().max(10_000),
  }),
});

export const generateMetadataInput = z.object({ contentId: z.uuid(), requestId });

export async function generateContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const { input } = generateContentInput.parse(raw);
  const brand = await writableBrand(deps, context, input.brandId);
  return runGeneration(deps, {
    requestId: input.requestId ?? randomUUID(),
    kind: 'content',
    input: {
      brand: identityOf(brand),
      template: { name: input.templateName, fields: input.fields },
      brief: input.brief,
    },
    brandId: brand.brandId,
    context,
  });
}

/** SEO metadata for the content's current version, in its brand's language. */
export async function generateMetadata(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const input = generateMetadataInput.parse(raw);
  const { content, brand, current } = await writableContent(deps, context, input.contentId);
  return runGeneration(deps, {
    requestId: input.requestId ?? randomUUID(),
    kind: 'metadata',
    input: {
      title: current.title,
      text: fieldTexts(current.fields).join('\n\n'),
      language: brand.language,
    },
    brandId: brand.brandId,
    contentId: content.contentId,
    context,
  });
}

export const generateAltTextInput = z.object({
  input: z.object({
    brandId: z.uuid(),
    requestId,
    imageDescription: z.string().max(2_000).nullish(),
    imageUrl: z.url().max(2_000).nullish(),
    /** BCP 47; the brand's language when not given. */
    language: z.string().max(35).nullish(),
  }),
});

/**
 * Alt text for an image, described in words or by a URL (the provider may look at it; Chronicle
 * never fetches it), in the brand's language unless another is asked for.
 */
export async function generateAltText(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const { input } = generateAltTextInput.parse(raw);
  const brand = await writableBrand(deps, context, input.brandId);
  return runGeneration(deps, {
    requestId: input.requestId ?? randomUUID(),
    kind: 'alt_text',
    input: {
      ...(input.imageDescription ? { imageDescription: input.imageDescription } : {}),
      ...(input.imageUrl ? { imageUrl: input.imageUrl } : {}),
      language: input.language ?? brand.language,
    },
    brandId: brand.brandId,
    context,
  });
}

export const suggestTitlesInput = z.object({
  contentId: z.uuid(),
  count: z.number().int().min(1).max(TITLES_MAX).nullish(),
  requestId,
});

/** Titles for the content's current version (not saved: pass one to updateContent). */
export async function suggestTitles(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const input = suggestTitlesInput.parse(raw);
  const { content, brand, current } = await writableContent(deps, context, input.contentId);
  return runGeneration(deps, {
    requestId: input.requestId ?? randomUUID(),
    kind: 'titles',
    input: {
      text: [current.title, ...fieldTexts(current.fields)].join('\n\n'),
      count: input.count ?? 3,
      language: brand.language,
    },
    brandId: brand.brandId,
    contentId: content.contentId,
    context,
  });
}

export const transcreateContentInput = z.object({
  contentId: z.uuid(),
  /** BCP 47, e.g. `de-DE`. */
  targetLanguage: z.string().min(2).max(35),
  requestId,
});

/**
 * The content's current version rewritten for another language and market in the brand's voice
 * (not saved: create the market's content from it). The local provider does not translate; it
 * marks the text for a translator and says so by its label.
 */
export async function transcreateContent(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const input = transcreateContentInput.parse(raw);
  const { content, brand, current } = await writableContent(deps, context, input.contentId);
  return runGeneration(deps, {
    requestId: input.requestId ?? randomUUID(),
    kind: 'transcreation',
    input: {
      title: current.title,
      // The provider's port takes a key → text map (its output is matched to the same keys).
      fields: Object.fromEntries(current.fields.map(({ key, value }) => [key, value])),
      sourceLanguage: brand.language,
      targetLanguage: input.targetLanguage,
      brand: identityOf(brand),
    },
    brandId: brand.brandId,
    contentId: content.contentId,
    context,
  });
}

/** The content, its brand and its current version, if the caller may write content for the brand. */
async function writableContent(deps: PublishingDeps, context: RequestContext, contentId: string) {
  const { state: content } = await loadAggregate(deps, contentAggregate, contentStream(contentId));
  if (content.status === 'none') throw notFound('CONTENT_NOT_FOUND', 'No such content');
  const brand = await writableBrand(deps, context, content.brandId);
  const current = content.versions.at(-1);
  if (!current) throw conflict('NO_VERSION', 'This content has no version yet');
  return { content, brand, current };
}

/** The brand, if the caller may write content for it. */
async function writableBrand(deps: PublishingDeps, context: RequestContext, brandId: string): Promise<Brand> {
  const { state } = await loadAggregate(deps, brandAggregate, brandStream(brandId));
  if (state.status === 'none') throw notFound('BRAND_NOT_FOUND', 'No such brand');
  if (!atLeast(brandAccessOf(state, context.actor), 'editor')) {
    throw forbidden('NOT_AN_EDITOR', 'Only the brand’s editors, approvers and admins generate content');
  }
  if (state.status === 'archived') throw conflict('BRAND_ARCHIVED', 'This brand is archived');
  return state;
}

export function identityOf(brand: Brand) {
  return {
    name: brand.name,
    toneOfVoice: brand.identity.toneOfVoice,
    guardrails: brand.identity.guardrails,
    language: brand.language,
    country: brand.country,
  };
}
