import type { z } from 'zod';
import { checkpointDraftOutputSchema, draftCheckpointLocally } from './checkpoint-generation.ts';
import { AiProviderError } from './errors.ts';
import { reviewClaimsLocally, sentencesWithinGuardrails } from './local/claims-heuristics.ts';
import { type Phrasebook, phrasebookFor, type Register, registerFor } from './local/phrasebook.ts';
import { localMentorReply, streamLocally } from './mentor-chat.ts';
import { type AiInputOf, type AiProvider, type AiResult, aiOutputSchemas, NO_USAGE } from './provider.ts';
import {
  ALT_TEXT_MAX,
  CONTENT_TITLE_MAX,
  KEYWORDS_MAX,
  SEO_DESCRIPTION_MAX,
  SEO_TITLE_MAX,
  SUGGESTED_TITLE_MAX,
  type Template,
} from './schemas.ts';
import {
  asWritten,
  capitalize,
  collapseSpace,
  extractKeywords,
  primaryLanguage,
  sentences,
  shorten,
  words,
} from './text.ts';

export const LOCAL_PROVIDER_NAME = 'local';
export const LOCAL_MODEL = 'templates-v1';

/**
 * The AI provider when no model is configured: deterministic templates and heuristics (same input,
 * same output; no clock, no randomness, no network). It writes from the brief in the brand's
 * language and register, and its results say `label: 'local-template'`, so nobody mistakes them
 * for a model's. It does not translate: a transcreation into another language comes back as the
 * source text, its title marked with the target language for an editor to pick up.
 */
export function createLocalProvider(): AiProvider {
  return {
    name: LOCAL_PROVIDER_NAME,
    model: LOCAL_MODEL,
    label: 'local-template',
    generateContent: async (input) => result(aiOutputSchemas.content(input), writeContent(input)),
    generateMetadata: async (input) => result(aiOutputSchemas.metadata(input), writeMetadata(input)),
    generateAltText: async (input) => result(aiOutputSchemas.alt_text(input), writeAltText(input)),
    transcreate: async (input) => result(aiOutputSchemas.transcreation(input), markForTranslation(input)),
    reviewClaims: async (input) => result(aiOutputSchemas.claims_review(input), reviewClaimsLocally(input)),
    suggestTitles: async (input) => result(aiOutputSchemas.titles(input), suggestTitles(input)),
    generateCheckpoint: async (input) =>
      result(checkpointDraftOutputSchema(input.questionCount), draftCheckpointLocally(input)),
    mentorReply: async (input, options) => {
      const text = localMentorReply(input);
      await streamLocally(text, options);
      return {
        output: { text },
        usage: NO_USAGE,
        provider: LOCAL_PROVIDER_NAME,
        model: LOCAL_MODEL,
        label: 'local-template',
        durationMs: 0,
        attempts: 1,
      };
    },
  };
}

/** Held to the same output contract as a model's reply. */
function result<Output>(schema: z.ZodType<Output>, produced: unknown): AiResult<Output> {
  const parsed = schema.safeParse(produced);
  if (!parsed.success) {
    throw new AiProviderError(
      'AI_INVALID_OUTPUT',
      `Local template output is invalid: ${parsed.error.message}`,
      {
        attempts: 1,
      },
    );
  }
  return {
    output: parsed.data,
    usage: NO_USAGE,
    provider: LOCAL_PROVIDER_NAME,
    model: LOCAL_MODEL,
    label: 'local-template',
    durationMs: 0,
    attempts: 1,
  };
}

const withoutEndPunctuation = (text: string) => text.replace(/[\s.!?…:;,]+$/u, '');

// ---- content ------------------------------------------------------------------------------------

type FieldRole = 'call_to_action' | 'tags' | 'headline' | 'summary' | 'body';

/** A field's role from its key and label; the first match wins, anything else is body copy. */
const FIELD_ROLES: ReadonlyArray<[FieldRole, RegExp]> = [
  ['call_to_action', /\bcta\b|call to action|button|link text/i],
  ['tags', /hashtags?|\btags?\b|keywords?/i],
  ['headline', /headline|heading|\btitle\b|subject|tagline|slogan/i],
  ['summary', /summary|intro|excerpt|teaser|lede|standfirst|subtitle|subheading|abstract|preview|snippet/i],
];

function roleOf(field: Template['fields'][number]): FieldRole {
  const key = field.key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  const name = `${key} ${field.label}`;
  return FIELD_ROLES.find(([, pattern]) => pattern.test(name))?.[0] ?? 'body';
}

/** A length limit stated in a field's instructions: "max 50 words", "up to 280 characters", … */
function limitIn(instructions: string): { count: number; unit: 'characters' | 'words' } | undefined {
  const match =
    /(?:max(?:imum)?|at most|up to|no more than|under|within|≤)\s*(\d+)\s*(characters|chars|words)/i.exec(
      instructions,
    ) ?? /(\d+)\s*(characters|chars|words)\s*(?:max(?:imum)?|or less|or fewer|at most)/i.exec(instructions);
  if (!match?.[1] || !match[2]) return undefined;
  return {
    count: Number(match[1]),
    unit: match[2].toLowerCase().startsWith('word') ? 'words' : 'characters',
  };
}

function applyLimit(text: string, instructions: string): string {
  const limit = limitIn(instructions);
  if (!limit || limit.count < 1) return text;
  if (limit.unit === 'characters') return shorten(text, limit.count, { ellipsis: limit.count > 20 });
  const all = text.split(/\s+/);
  return all.length <= limit.count ? text : `${withoutEndPunctuation(all.slice(0, limit.count).join(' '))}…`;
}

interface Voice {
  brand: string;
  book: Phrasebook;
  register: Register;
  /** The brief's sentences that break no guardrail: the only facts the templates use. */
  facts: string[];
  language: string;
}

function writeField(field: Template['fields'][number], voice: Voice): string {
  const { brand, book, register, facts, language } = voice;
  const lead = facts[0] ?? book.opening.neutral(brand);
  const text = (() => {
    switch (roleOf(field)) {
      case 'call_to_action':
        return book.callToAction[register](brand);
      case 'tags': {
        const copy = facts.join(' ');
        const keywords = extractKeywords('', copy, language, 5).map((keyword) => asWritten(keyword, copy));
        return /hashtag/i.test(`${field.key} ${field.label}`)
          ? keywords.map((keyword) => `#${keyword.replace(/['’-]/g, '')}`).join(' ')
          : keywords.join(', ');
      }
      case 'headline':
        return capitalize(shorten(withoutEndPunctuation(lead), 80));
      case 'summary':
        return shorten(facts.slice(0, 2).join(' ') || lead, 280, { ellipsis: true });
      case 'body':
        return [book.opening[register](brand), facts.join(' '), book.closing[register](brand)]
          .filter((part) => part.length > 0)
          .join('\n\n');
    }
  })();
  return applyLimit(text, field.instructions);
}

function writeContent(input: AiInputOf<'content'>) {
  const { brand, template, brief } = input;
  const book = phrasebookFor(brand.language);
  const voice: Voice = {
    brand: brand.name,
    book,
    register: registerFor(brand.toneOfVoice),
    facts: sentencesWithinGuardrails(brief, brand.guardrails),
    language: brand.language,
  };
  const lead = voice.facts[0] ?? book.opening.neutral(brand.name);
  return {
    title: capitalize(shorten(withoutEndPunctuation(lead), 90)),
    fields: Object.fromEntries(template.fields.map((field) => [field.key, writeField(field, voice)])),
  };
}

// ---- metadata, alt text, titles, transcreation --------------------------------------------------

function writeMetadata({ title, text, language }: AiInputOf<'metadata'>) {
  let description = '';
  for (const sentence of sentences(text)) {
    const next = description ? `${description} ${sentence}` : sentence;
    if (description && next.length > SEO_DESCRIPTION_MAX) break;
    description = next;
  }
  return {
    seoTitle: shorten(title, SEO_TITLE_MAX),
    seoDescription: shorten(description || title, SEO_DESCRIPTION_MAX, { ellipsis: true }),
    keywords: extractKeywords(title, text, language, KEYWORDS_MAX),
  };
}

const IMAGE_PREFIX =
  /^(?:(?:an?|the)\s+)?(?:image|picture|photo(?:graph)?|illustration|screenshot)\s+(?:of|showing|shows|with)\s+/i;

/** Words of an image URL's file name: `/img/red-running-shoes_2024.jpg` → "red running shoes". */
function fileNameWords(url: string): string {
  const path = (() => {
    try {
      return decodeURIComponent(new URL(url).pathname);
    } catch {
      return url;
    }
  })();
  const file = path.split('/').filter(Boolean).at(-1) ?? '';
  return words(file.replace(/\.[a-z0-9]{2,5}$/i, '').replace(/([a-z])([A-Z])/g, '$1 $2'))
    .flatMap((word) => word.split(/[-_]/))
    .filter((word) => /\p{L}/u.test(word) && !/^(?:img|image|dsc|photo|pic|final|copy|v\d+)$/i.test(word))
    .join(' ');
}

function writeAltText({ imageDescription, imageUrl, language }: AiInputOf<'alt_text'>) {
  const described = imageDescription ? collapseSpace(imageDescription).replace(IMAGE_PREFIX, '') : '';
  const fromUrl = !described && imageUrl ? fileNameWords(imageUrl) : '';
  const text = described || fromUrl || phrasebookFor(language).unknownImage;
  return { altText: capitalize(shorten(withoutEndPunctuation(text), ALT_TEXT_MAX)) };
}

function suggestTitles({ text, count, language }: AiInputOf<'titles'>) {
  const lang = language ?? 'en';
  const book = phrasebookFor(lang);
  const keywords = extractKeywords('', text, lang, 5).map((keyword) => asWritten(keyword, text));
  const topics = keywords.length > 0 ? keywords : [book.thisTopic];
  const candidates: string[] = [];
  const lead = sentences(text)[0];
  if (lead) candidates.push(shorten(withoutEndPunctuation(lead), 70));
  topics.forEach((topic, index) => {
    const other = topics[(index + 1) % topics.length] ?? topic;
    for (const template of book.titles) {
      // Templates naming two topics need two different ones.
      if (template.length > 1 && other === topic) continue;
      candidates.push(template(topic, other));
    }
  });
  const titles = [...new Set(candidates.map((title) => capitalize(shorten(title, SUGGESTED_TITLE_MAX))))];
  return { titles: titles.slice(0, count) };
}

function markForTranslation({ title, fields, sourceLanguage, targetLanguage }: AiInputOf<'transcreation'>) {
  if (primaryLanguage(sourceLanguage) === primaryLanguage(targetLanguage)) return { title, fields };
  return { title: shorten(`[${targetLanguage}] ${title}`, CONTENT_TITLE_MAX), fields };
}
