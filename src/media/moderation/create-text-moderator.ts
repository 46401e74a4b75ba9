import type { ModerationEnvironment } from './create-moderator.ts';
import { localTextModerator } from './local-text-rules.ts';
import { ModerationUnavailable } from './moderator.ts';
import { openAiTextModerator } from './openai-text-moderator.ts';
import type { TextModerator } from './text-moderator.ts';

export interface TextModeratorOptions {
  openAiModel?: string;
  /** Told when OpenAI could not answer and the local rules decided alone (for a warning log). */
  onFallback?: (error: ModerationUnavailable) => void;
}

/**
 * Local rules always; OpenAI's moderation after them when an API key is set. When OpenAI cannot
 * answer, the local verdict stands (and `onFallback` hears of it): a comment is not refused or held
 * because a provider is down, and reports still reach the moderators.
 */
export function createTextModerator(
  environment: ModerationEnvironment,
  options: TextModeratorOptions = {},
): TextModerator {
  const local = localTextModerator();
  if (!environment.OPENAI_API_KEY) return local;
  const remote = openAiTextModerator({
    apiKey: environment.OPENAI_API_KEY,
    ...(environment.OPENAI_BASE_URL ? { baseUrl: environment.OPENAI_BASE_URL } : {}),
    ...(options.openAiModel ? { model: options.openAiModel } : {}),
  });
  return {
    checker: 'openai',
    async moderateText(text, signal) {
      const first = await local.moderateText(text, signal);
      if (first.flagged) return first;
      try {
        return await remote.moderateText(text, signal);
      } catch (error) {
        if (!(error instanceof ModerationUnavailable)) throw error;
        options.onFallback?.(error);
        return first;
      }
    },
  };
}
