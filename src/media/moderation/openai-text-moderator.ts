import OpenAI from 'openai';
import { DEFAULT_MODERATION_MODEL, type OpenAiModeratorOptions, unavailable } from './openai-moderator.ts';
import { allowedText, flaggedText, type TextModerator } from './text-moderator.ts';

/** OpenAI's moderation endpoint on a text: every flagged category is named in the verdict. */
export function openAiTextModerator(options: OpenAiModeratorOptions): TextModerator {
  const client = new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    // Text is checked while the author waits for their comment: short, one retry.
    timeout: options.timeoutMs ?? 5_000,
    maxRetries: options.maxRetries ?? 1,
  });
  const model = options.model ?? DEFAULT_MODERATION_MODEL;
  return {
    checker: 'openai',
    async moderateText(text, signal) {
      let response: OpenAI.Moderations.ModerationCreateResponse;
      try {
        response = await client.moderations.create({ model, input: text }, signal ? { signal } : {});
      } catch (error) {
        throw unavailable(error);
      }
      const flagged = new Set<string>();
      for (const result of response.results) {
        if (!result.flagged) continue;
        for (const [category, hit] of Object.entries(result.categories)) if (hit) flagged.add(category);
        if (flagged.size === 0) flagged.add('unspecified');
      }
      return flagged.size === 0 ? allowedText('openai') : flaggedText('openai', flagged);
    },
  };
}
