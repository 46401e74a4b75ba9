/**
 * What can go wrong when asking an AI provider, as codes callers switch on (never messages to parse).
 * `attempts` counts the HTTP attempts made, retries included (0 when the circuit was already open).
 */
export const AI_ERROR_CODES = [
  'AI_TIMEOUT',
  'AI_RATE_LIMITED',
  /** The circuit is open, or the provider kept failing (5xx, connection errors) until retries ran out. */
  'AI_UNAVAILABLE',
  /** The reply was not JSON, did not match the output schema, or was cut off. */
  'AI_INVALID_OUTPUT',
  /** The model declined to answer (a refusal or the provider's content filter). */
  'AI_REFUSED',
  /** Anything else, e.g. a rejected API key or request: retrying will not help. */
  'AI_FAILED',
] as const;
export type AiErrorCode = (typeof AI_ERROR_CODES)[number];

export interface AiProviderErrorOptions {
  attempts: number;
  /** How long the provider said to wait, when it said so. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class AiProviderError extends Error {
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: AiErrorCode,
    message: string,
    options: AiProviderErrorOptions,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AiProviderError';
    this.attempts = options.attempts;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Transient failures: the same request may well succeed a little later. */
export function isTransient(code: AiErrorCode): boolean {
  return code === 'AI_TIMEOUT' || code === 'AI_RATE_LIMITED' || code === 'AI_UNAVAILABLE';
}
