import type { FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { DomainError, type ErrorCode } from '../../domain/shared/domain-error.ts';

/** The JSON body of a refused REST request: the same `code` and `reason` GraphQL errors carry. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode | 'INTERNAL';
  reason?: string;
  message: string;
  [detail: string]: unknown;
}

const STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

/** A DomainError or a zod failure as an HTTP error body; anything else is INTERNAL and not leaked. */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    return {
      ...error.details,
      statusCode: STATUS[error.code],
      code: error.code,
      reason: error.reason,
      message: error.message,
    };
  }
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    return {
      statusCode: 400,
      code: 'VALIDATION',
      reason: 'INVALID_INPUT',
      message: `Invalid input (${issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')})`,
      issues,
    };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal server error' };
}

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const body = errorBody(error);
  if (body.code === 'INTERNAL') reply.log.error({ err: error }, 'unexpected error in a REST route');
  return reply.code(body.statusCode).send(body);
}
