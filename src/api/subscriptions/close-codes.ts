/**
 * WebSocket close codes the subscription endpoint uses (4000–4999 belong to the application).
 * 4401 follows graphql-ws, whose clients treat it as fatal: retrying with the same token is futile.
 */
export const CLOSE_UNAUTHORIZED = 4401;
/**
 * Too many requests, as in HTTP: a client that does not take its events (the reason names the
 * position to resume after), or a second `connection_init` (as graphql-ws uses it). graphql-ws
 * clients do not retry it, which is right here: a blind retry would resubscribe with the old `after`.
 */
export const CLOSE_TOO_MANY = 4429;
export const CLOSE_SLOW_CONSUMER = CLOSE_TOO_MANY;

/** WebSocket close reasons are limited to 123 bytes. */
const MAX_REASON_BYTES = 123;

/** `CODE/REASON: message`, cut to fit a close frame, so clients can switch on the prefix. */
export function closeReason(code: string, reason: string, message: string): string {
  let text = `${code}/${reason}: ${message}`;
  while (Buffer.byteLength(text) > MAX_REASON_BYTES) text = text.slice(0, -1);
  return text;
}
