/** Socket failures: the server is away (restarting, crashed), not the request wrong. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
/** PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down). */
const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** node-postgres reports a dropped or unobtainable connection without a code. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
];

/**
 * Whether `error` (or what caused it) says a dependency could not be reached, so the request
 * failed for a reason the client cannot fix and may retry: with the same idempotency key a retry
 * is safe even when the first attempt's write was committed before the connection went.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || !(error instanceof Error)) return false;
  const code: unknown = 'code' in error ? error.code : undefined;
  if (typeof code === 'string') {
    // SQLSTATE class 08 is "connection exception".
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (PG_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isDependencyUnavailable(e, depth + 1))) {
    return true;
  }
  return isDependencyUnavailable(error.cause, depth + 1);
}
