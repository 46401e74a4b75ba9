import type { Logger } from '../logger.ts';
import { createLocalProvider } from './local-provider.ts';
import { OpenAiProvider, type OpenAiProviderOptions } from './openai-provider.ts';
import type { AiProvider } from './provider.ts';

/** The AI settings. */
export interface AiProviderConfig {
  openaiApiKey?: string;
  /** An OpenAI-compatible endpoint; OpenAI's own when unset. */
  openaiBaseUrl?: string;
  /** Default `gpt-4o-mini`. */
  model?: string;
}

/** The same settings as environment variables, as the process configuration holds them. */
export interface AiEnvironment {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
}

export type AiProviderFactoryOptions = Omit<OpenAiProviderOptions, 'apiKey' | 'baseUrl' | 'model'> & {
  log?: Logger;
};

/**
 * A model behind the OpenAI API when an API key is configured, the deterministic local templates
 * otherwise. Nothing happens at construction: no request is made until a generation runs.
 */
export function createAiProvider(
  config: AiProviderConfig | AiEnvironment,
  options: AiProviderFactoryOptions = {},
): AiProvider {
  const { apiKey, baseUrl, model } = settingsOf(config);
  if (!apiKey) return createLocalProvider();
  return new OpenAiProvider({
    ...options,
    apiKey,
    ...(baseUrl ? { baseUrl } : {}),
    ...(model ? { model } : {}),
  });
}

const isEnvironment = (config: AiProviderConfig | AiEnvironment): config is AiEnvironment =>
  'OPENAI_API_KEY' in config || 'OPENAI_BASE_URL' in config || 'OPENAI_MODEL' in config;

function settingsOf(config: AiProviderConfig | AiEnvironment) {
  if (isEnvironment(config)) {
    return { apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL };
  }
  return { apiKey: config.openaiApiKey, baseUrl: config.openaiBaseUrl, model: config.model };
}
