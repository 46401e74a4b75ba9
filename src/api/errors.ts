import { type ExecutionResult, GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { ZodError } from 'zod';
import { DomainError } from '../domain/shared/domain-error.ts';
import { isDependencyUnavailable } from './dependency-unavailable.ts';
import { persistedQueryErrorExtensions } from './persisted-queries.ts';
import { frameworkRefusal, RejectedRequest } from './rejected-request.ts';

type Log = MercuriusContext['app']['log'];

/**
 * The one place errors become GraphQL errors. Every error leaves with `extensions.code`:
 * a DomainError's code and reason, VALIDATION for input that failed its zod schema (with the
 * issues), GRAPHQL_VALIDATION_FAILED for a query that does not fit the schema, UNAVAILABLE (HTTP 503)
 * when a dependency such as PostgreSQL could not be reached, and INTERNAL for anything else, whose
 * message is replaced (and the original logged) so internals never leak.
 */
export function formatErrors(
  execution: ExecutionResult & { statusCode?: number },
  context: MercuriusContext,
) {
  const log = context.reply ? context.reply.log : context.app.log;
  // Every error names its request, so a client's report leads straight to the server's log lines.
  const requestId = context.reply?.request.id;
  const errors = (execution.errors ?? [])
    .flatMap((error) => formatError(error, log))
    .map((error) => (requestId ? { ...error, extensions: { ...error.extensions, requestId } } : error));
  // Nothing answered and only because a dependency is away: 503, which clients and proxies retry.
  const unavailable = errors.length > 0 && errors.every((error) => error.extensions?.code === 'UNAVAILABLE');
  return {
    statusCode: execution.data
      ? 200
      : unavailable
        ? 503
        : (refusedStatus(execution.errors) ?? execution.statusCode ?? 200),
    response: { data: execution.data ?? null, errors },
  };
}

/**
 * The formatter without graphql-js's "Did you mean …?" hints, which name fields and types a client
 * did not ask for: with introspection off they would hand the schema out one guess at a time.
 */
export function withoutSuggestions(format: typeof formatErrors): typeof formatErrors {
  return (execution, context) => {
    const formatted = format(execution, context);
    const errors = formatted.response.errors.map((error) => ({
      ...error,
      message: error.message.replace(/ Did you mean .*\?$/, ''),
    }));
    return { ...formatted, response: { ...formatted.response, errors } };
  };
}

/** A request refused before execution (rate limit, body too large) answers with its HTTP status. */
function refusedStatus(errors: ExecutionResult['errors']): number | undefined {
  const original = errors?.length === 1 ? errors[0]?.originalError : undefined;
  return original ? frameworkRefusal(original)?.statusCode : undefined;
}

export function formatError(error: GraphQLError, log: Log): GraphQLFormattedError[] {
  const json = error.toJSON();
  const original = error.originalError;
  // Mercurius wraps the schema-validation failures of one query in a single error holding the list.
  const inner: unknown = original && 'errors' in original ? original.errors : undefined;
  if (Array.isArray(inner) && inner.length > 0) {
    return inner.map((e: unknown) => ({
      message: e instanceof Error ? e.message : String(e),
      ...(e instanceof GraphQLError && e.locations ? { locations: e.locations } : {}),
      // Our own validation rules (depth) say why with a reason; graphql-js's rules do not.
      extensions:
        e instanceof GraphQLError && e.extensions.code ? e.extensions : { code: 'GRAPHQL_VALIDATION_FAILED' },
    }));
  }
  if (json.extensions?.code) return [json];
  const persisted = original && persistedQueryErrorExtensions(original);
  if (persisted) return [{ ...json, extensions: persisted }];
  const refused = original && !(original instanceof RejectedRequest) ? frameworkRefusal(original) : undefined;
  if (refused) return [{ ...json, extensions: { code: refused.code, reason: refused.reason } }];
  if (original instanceof DomainError) {
    return [{ ...json, extensions: { code: original.code, reason: original.reason, ...original.details } }];
  }
  if (original instanceof ZodError) {
    const issues = original.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    const summary = issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    return [
      {
        ...json,
        message: `Invalid input (${summary})`,
        extensions: { code: 'VALIDATION', reason: 'INVALID_INPUT', issues },
      },
    ];
  }
  // No original error: GraphQL itself refused the query (a bad variable, an unknown field).
  if (!original) return [{ ...json, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }];
  if (isDependencyUnavailable(original)) {
    log.warn({ err: original, path: json.path }, 'a dependency is unavailable');
    return [
      {
        ...json,
        message: 'Temporarily unavailable; retry (with the same idempotency key for a mutation)',
        extensions: { code: 'UNAVAILABLE', reason: 'DEPENDENCY_UNAVAILABLE' },
      },
    ];
  }
  log.error({ err: original, path: json.path }, 'unexpected error in a resolver');
  return [{ ...json, message: 'Internal server error', extensions: { code: 'INTERNAL' } }];
}
