/**
 * One error catalogue for the whole backend. `code` is what the API maps to a GraphQL error code;
 * `reason` is a stable, more specific name clients may switch on (e.g. `EMAIL_TAKEN`).
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validation = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('VALIDATION', reason, message, details);
export const unauthenticated = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('UNAUTHENTICATED', reason, message, details);
export const forbidden = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('FORBIDDEN', reason, message, details);
export const notFound = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('NOT_FOUND', reason, message, details);
export const conflict = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('CONFLICT', reason, message, details);
export const rateLimited = (reason: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('RATE_LIMITED', reason, message, details);
