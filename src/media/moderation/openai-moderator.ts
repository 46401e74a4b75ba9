import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ModerationMultiModalInput } from 'openai/resources/moderations';
import { type MediaModerator, type ModerationSubject, ModerationUnavailable } from './moderator.ts';

export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

export interface OpenAiModeratorOptions {
  apiKey: string;
  /** An OpenAI-compatible endpoint; OpenAI's own when unset. */
  baseUrl?: string;
  model?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** The SDK's own retries of 429/5xx/timeouts (default 2); the saga retries the activity after that. */
  maxRetries?: number;
}

/**
 * OpenAI's moderation endpoint (`POST /v1/moderations`) on what the upload shows: its poster frame
 * or the image itself as an image input, and its file name as text. Any flagged category rejects
 * the upload, and the categories are the reasons.
 */
export function openAiModerator(options: OpenAiModeratorOptions): MediaModerator {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    timeout: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 2,
  });
  const model = options.model ?? DEFAULT_MODERATION_MODEL;
  return {
    checker: 'openai',
    async moderate(subject, signal) {
      const input = await inputsFor(subject);
      let response: OpenAI.Moderations.ModerationCreateResponse;
      try {
        response = await client.moderations.create({ model, input }, signal ? { signal } : {});
      } catch (error) {
        throw unavailable(error);
      }
      const flagged = new Set<string>();
      for (const result of response.results) {
        if (!result.flagged) continue;
        for (const [category, hit] of Object.entries(result.categories)) if (hit) flagged.add(category);
        if (flagged.size === 0) flagged.add('unspecified');
      }
      if (flagged.size === 0) return { checker: 'openai', decision: 'allowed', reasons: [] };
      return {
        checker: 'openai',
        decision: 'rejected',
        reasons: [...flagged].sort().map((category) => `Flagged by content moderation: ${category}`),
      };
    },
  };
}

async function inputsFor(subject: ModerationSubject): Promise<ModerationMultiModalInput[]> {
  const inputs: ModerationMultiModalInput[] = [{ type: 'text', text: `File name: ${subject.fileName}` }];
  const still = await subject.still();
  if (still) {
    inputs.push({
      type: 'image_url',
      image_url: { url: `data:image/jpeg;base64,${still.toString('base64')}` },
    });
  }
  return inputs;
}

/** 4xx other than 408/409/429 will be refused again (a bad key, an input the model rejects). */
export function unavailable(error: unknown): ModerationUnavailable {
  if (error instanceof APIUserAbortError)
    return new ModerationUnavailable('Moderation was cancelled', false, { cause: error });
  if (error instanceof APIConnectionError) {
    return new ModerationUnavailable(`The moderation endpoint is unreachable: ${error.message}`, true, {
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const status = error.status ?? 0;
    const retryable = status === 0 || status >= 500 || status === 408 || status === 409 || status === 429;
    return new ModerationUnavailable(
      `The moderation endpoint answered ${status}: ${error.message}`,
      retryable,
      {
        cause: error,
      },
    );
  }
  return new ModerationUnavailable(
    `Moderation failed: ${error instanceof Error ? error.message : String(error)}`,
    true,
    { cause: error },
  );
}
