import { AiProviderError } from '../../ai/errors.ts';
import { rateLimited, validation } from '../../domain/shared/domain-error.ts';

/**
 * How a failed generation reaches the caller. Failures worth retrying later (rate limits, an
 * unavailable or slow provider, a malformed reply) are RATE_LIMITED; a refusal is VALIDATION (the
 * request itself has to change); `details.aiCode` always names the provider's code. AI_FAILED
 * (a rejected API key, a request the provider cannot accept) is an operator's problem, so it stays
 * an AiProviderError, which the API reports as INTERNAL and logs in full.
 */
export function generationError(error: AiProviderError): Error {
  const details = {
    aiCode: error.code,
    attempts: error.attempts,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
  switch (error.code) {
    case 'AI_RATE_LIMITED':
      return rateLimited(error.code, 'The AI provider is busy; try again shortly', details);
    case 'AI_UNAVAILABLE':
      return rateLimited(error.code, 'The AI provider is unavailable; try again later', details);
    case 'AI_TIMEOUT':
      return rateLimited(error.code, 'The AI provider did not answer in time; try again', details);
    case 'AI_INVALID_OUTPUT':
      return rateLimited(error.code, 'The AI provider returned an unusable answer; try again', details);
    case 'AI_REFUSED':
      return validation(
        error.code,
        'The AI provider declined this request; change the brief or text',
        details,
      );
    case 'AI_FAILED':
      return error;
  }
}

/** Anything a provider throws, as an AiProviderError (a bug in a provider counts as AI_FAILED). */
export function asProviderError(error: unknown): AiProviderError {
  if (error instanceof AiProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AiProviderError('AI_FAILED', `The AI provider failed unexpectedly: ${message}`, {
    attempts: 1,
    cause: error,
  });
}
