import type { z } from 'zod';
import type { CheckpointDraftInput, CheckpointDraftOutput } from './checkpoint-generation.ts';
import type { MentorChatInput, MentorReplyOptions, MentorReplyResult } from './mentor-chat.ts';
import {
  type AltTextInput,
  type AltTextOutput,
  altTextInputSchema,
  altTextOutputSchema,
  type ClaimsReviewInput,
  type ClaimsReviewOutput,
  type ContentInput,
  type ContentOutput,
  claimsReviewInputSchema,
  claimsReviewOutputSchema,
  contentInputSchema,
  contentOutputSchema,
  type MetadataInput,
  type MetadataOutput,
  metadataInputSchema,
  metadataOutputSchema,
  type TitlesInput,
  type TitlesOutput,
  type TranscreationInput,
  type TranscreationOutput,
  titlesInputSchema,
  titlesOutputSchema,
  transcreationInputSchema,
} from './schemas.ts';

export type * from './mentor-chat.ts';
export type * from './schemas.ts';

/**
 * The one port every AI feature goes through. Two adapters implement it: a model behind an
 * OpenAI-compatible API (`label: 'model'`) and deterministic local templates
 * (`label: 'local-template'`), so callers, readers and the audit trail can always tell which one
 * wrote a text.
 */
export interface AiProvider {
  /** `openai`, `openai-compatible` or `local`. */
  readonly name: string;
  /** The model asked for (a response may name a more precise snapshot). */
  readonly model: string;
  readonly label: AiLabel;
  generateContent(input: ContentInput, options?: AiCallOptions): Promise<AiResult<ContentOutput>>;
  generateMetadata(input: MetadataInput, options?: AiCallOptions): Promise<AiResult<MetadataOutput>>;
  generateAltText(input: AltTextInput, options?: AiCallOptions): Promise<AiResult<AltTextOutput>>;
  transcreate(input: TranscreationInput, options?: AiCallOptions): Promise<AiResult<TranscreationOutput>>;
  reviewClaims(input: ClaimsReviewInput, options?: AiCallOptions): Promise<AiResult<ClaimsReviewOutput>>;
  suggestTitles(input: TitlesInput, options?: AiCallOptions): Promise<AiResult<TitlesOutput>>;
  /**
   * A checkpoint's questions drafted from a learning module's own text, for a mentor to review
   * and approve (the communities context validates them like a mentor's own).
   */
  generateCheckpoint(
    input: CheckpointDraftInput,
    options?: AiCallOptions,
  ): Promise<AiResult<CheckpointDraftOutput>>;
  /** The AI mentor's reply, streamed to `options.onDelta` as it is produced (see `mentor-chat.ts`). */
  mentorReply(input: MentorChatInput, options: MentorReplyOptions): Promise<MentorReplyResult>;
}

export type AiLabel = 'model' | 'local-template';

export interface AiCallOptions {
  /** Cancels the call (and any retry wait), e.g. when a Temporal activity is cancelled. */
  signal?: AbortSignal;
}

export interface AiUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface AiResult<Output> {
  output: Output;
  usage: AiUsage;
  provider: string;
  model: string;
  label: AiLabel;
  durationMs: number;
  /** HTTP attempts it took, retries included (1 for the local provider). */
  attempts: number;
}

export const NO_USAGE: AiUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** Every kind of generation, with its input and output. */
export interface AiKinds {
  content: { input: ContentInput; output: ContentOutput };
  metadata: { input: MetadataInput; output: MetadataOutput };
  alt_text: { input: AltTextInput; output: AltTextOutput };
  transcreation: { input: TranscreationInput; output: TranscreationOutput };
  claims_review: { input: ClaimsReviewInput; output: ClaimsReviewOutput };
  titles: { input: TitlesInput; output: TitlesOutput };
}
export type AiKind = keyof AiKinds;
export type AiInputOf<Kind extends AiKind> = AiKinds[Kind]['input'];
export type AiOutputOf<Kind extends AiKind> = AiKinds[Kind]['output'];

export const AI_KINDS = [
  'content',
  'metadata',
  'alt_text',
  'transcreation',
  'claims_review',
  'titles',
] as const satisfies readonly AiKind[];

export const aiInputSchemas: { [Kind in AiKind]: z.ZodType<AiInputOf<Kind>> } = {
  content: contentInputSchema,
  metadata: metadataInputSchema,
  alt_text: altTextInputSchema,
  transcreation: transcreationInputSchema,
  claims_review: claimsReviewInputSchema,
  titles: titlesInputSchema,
};

/** The schema an output must match; for content and transcreation it depends on the input's fields. */
export const aiOutputSchemas: { [Kind in AiKind]: (input: AiInputOf<Kind>) => z.ZodType<AiOutputOf<Kind>> } =
  {
    content: ({ template }) => contentOutputSchema(template.fields.map((field) => field.key)),
    metadata: () => metadataOutputSchema,
    alt_text: () => altTextOutputSchema,
    transcreation: ({ fields }) => contentOutputSchema(Object.keys(fields)),
    claims_review: () => claimsReviewOutputSchema,
    titles: ({ count }) => titlesOutputSchema(count),
  };

type Call<Kind extends AiKind> = (
  provider: AiProvider,
  input: AiInputOf<Kind>,
  options?: AiCallOptions,
) => Promise<AiResult<AiOutputOf<Kind>>>;

const calls: { [Kind in AiKind]: Call<Kind> } = {
  content: (provider, input, options) => provider.generateContent(input, options),
  metadata: (provider, input, options) => provider.generateMetadata(input, options),
  alt_text: (provider, input, options) => provider.generateAltText(input, options),
  transcreation: (provider, input, options) => provider.transcreate(input, options),
  claims_review: (provider, input, options) => provider.reviewClaims(input, options),
  titles: (provider, input, options) => provider.suggestTitles(input, options),
};

/** Runs one kind of generation by name (for callers that record the kind, like `runGeneration`). */
export function callProvider<Kind extends AiKind>(
  provider: AiProvider,
  kind: Kind,
  input: AiInputOf<Kind>,
  options?: AiCallOptions,
): Promise<AiResult<AiOutputOf<Kind>>> {
  const call: Call<Kind> = calls[kind];
  return call(provider, input, options);
}
