import { type LocalModerationRulesInput, localRulesModerator } from './local-rules.ts';
import { chainModerators, type MediaModerator } from './moderator.ts';
import { openAiModerator } from './openai-moderator.ts';

/** The moderation settings, as the process environment holds them. */
export interface ModerationEnvironment {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
}

/**
 * Local rules always; OpenAI's moderation after them when an API key is set (the same key and
 * endpoint as the AI provider). Nothing is called at construction.
 */
export function createMediaModerator(
  environment: ModerationEnvironment,
  options: { rules?: LocalModerationRulesInput; openAiModel?: string } = {},
): MediaModerator {
  const local = localRulesModerator(options.rules);
  if (!environment.OPENAI_API_KEY) return local;
  return chainModerators(
    local,
    openAiModerator({
      apiKey: environment.OPENAI_API_KEY,
      ...(environment.OPENAI_BASE_URL ? { baseUrl: environment.OPENAI_BASE_URL } : {}),
      ...(options.openAiModel ? { model: options.openAiModel } : {}),
    }),
  );
}
