import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** The kinds of generation the AI provider offers. */
export const AI_GENERATION_KINDS = [
  'content',
  'metadata',
  'alt_text',
  'transcreation',
  'claims_review',
  'titles',
] as const;
export type AiGenerationKind = (typeof AI_GENERATION_KINDS)[number];

/** Why a generation failed, as the AI provider reports it. */
export const AI_GENERATION_ERROR_CODES = [
  'AI_TIMEOUT',
  'AI_RATE_LIMITED',
  'AI_UNAVAILABLE',
  'AI_INVALID_OUTPUT',
  'AI_REFUSED',
  'AI_FAILED',
] as const;
export type AiGenerationErrorCode = (typeof AI_GENERATION_ERROR_CODES)[number];

/** Who wrote a text: a model, or the local templates standing in for one. */
export const AI_GENERATION_LABELS = ['model', 'local-template'] as const;

const instant = z.iso.datetime();
const count = z.number().int().min(0);
const name = z.string().min(1).max(200);

/**
 * One request to the AI provider and how it ended. The input (a brief, a text to review) is not
 * recorded, only what was asked for and by whom; the validated output is, so a retried request
 * returns the same text without asking the provider again.
 */
export const aiGenerationEventSchemas = {
  AIGenerationRequested: z.object({
    requestId: z.uuid(),
    kind: z.enum(AI_GENERATION_KINDS),
    brandId: z.string().min(1).max(200).nullable(),
    contentId: z.string().min(1).max(200).nullable(),
    /** `user:<id>`, `system:<process>` or `integration:<key>`. */
    requestedBy: z.string().min(1).max(300),
    provider: name,
    model: name,
    at: instant,
  }),
  AIGenerationCompleted: z.object({
    requestId: z.uuid(),
    provider: name,
    model: name,
    label: z.enum(AI_GENERATION_LABELS),
    promptTokens: count,
    completionTokens: count,
    totalTokens: count,
    durationMs: count,
    attempts: count,
    /** The output as validated against the kind's schema. */
    output: z.record(z.string(), z.json()),
    at: instant,
  }),
  AIGenerationFailed: z.object({
    requestId: z.uuid(),
    provider: name,
    model: name,
    errorCode: z.enum(AI_GENERATION_ERROR_CODES),
    message: z.string().max(2000),
    durationMs: count,
    attempts: count,
    at: instant,
  }),
};

type Schemas = typeof aiGenerationEventSchemas;
export type AiGenerationEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type AiGenerationEventOf<Type extends AiGenerationEvent['type']> = Extract<
  AiGenerationEvent,
  { type: Type }
>;

export const aiGenerationEventCatalogue: EventCatalogue<AiGenerationEvent> = {
  AIGenerationRequested: {
    type: 'AIGenerationRequested',
    schemaVersion: 1,
    schema: aiGenerationEventSchemas.AIGenerationRequested,
    publicFields: ['requestId', 'kind', 'brandId', 'contentId', 'requestedBy', 'provider', 'model', 'at'],
  },
  AIGenerationCompleted: {
    type: 'AIGenerationCompleted',
    schemaVersion: 1,
    schema: aiGenerationEventSchemas.AIGenerationCompleted,
    // Everything but the generated text itself, which belongs to the brand's content.
    publicFields: [
      'requestId',
      'provider',
      'model',
      'label',
      'promptTokens',
      'completionTokens',
      'totalTokens',
      'durationMs',
      'attempts',
      'at',
    ],
  },
  AIGenerationFailed: {
    type: 'AIGenerationFailed',
    schemaVersion: 1,
    schema: aiGenerationEventSchemas.AIGenerationFailed,
    publicFields: ['requestId', 'provider', 'model', 'errorCode', 'message', 'durationMs', 'attempts', 'at'],
  },
};
