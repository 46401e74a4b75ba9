import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids that are safe to log and echo: a proxy's UUID or trace id, never arbitrary client text. */
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/**
 * Keeps the caller's `x-request-id` (so one id follows a request through proxies and services)
 * when it looks like an id; otherwise a fresh UUID.
 */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}
