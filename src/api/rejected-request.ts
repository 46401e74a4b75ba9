import { DomainError, type ErrorCode } from '../domain/shared/domain-error.ts';

/**
 * A request refused before any resolver ran (rate limit, oversized body). It travels as a
 * DomainError, so it leaves with the same `code` / `reason` shape, and carries the HTTP status the
 * response should have, since proxies and clients act on 429 and 413 without reading the body.
 */
export class RejectedRequest extends DomainError {
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    reason: string,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, reason, message, details);
    this.name = 'RejectedRequest';
  }
}

/** Fastify's refusals of a request it could not read, by their error code. */
const FRAMEWORK_REASONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_VALIDATION: 'MALFORMED_REQUEST',
};

/**
 * A request the framework refused before GraphQL saw it (too large, not JSON, unparsable), as a
 * VALIDATION error with its 4xx status; anything else is not the client's fault and stays
 * undefined. Fastify's messages describe the request, never the server, so they are kept.
 */
export function frameworkRefusal(error: Error): RejectedRequest | undefined {
  if (error instanceof RejectedRequest) return error;
  const statusCode: unknown = 'statusCode' in error ? error.statusCode : undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  const code: unknown = 'code' in error ? error.code : undefined;
  const reason = typeof code === 'string' ? FRAMEWORK_REASONS[code] : undefined;
  // Fastify's JSON parser reports a syntax error as a plain SyntaxError with status 400.
  if (!reason && !(error instanceof SyntaxError)) return undefined;
  return new RejectedRequest(statusCode, 'VALIDATION', reason ?? 'MALFORMED_REQUEST', error.message);
}
