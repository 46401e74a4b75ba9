/**
 * What one attempt to deliver a notification over an outbound channel (web push, e-mail) came to.
 * The delivery saga settles its `notification_deliveries` row from this alone, so every sender maps
 * its transport's answers onto these four cases:
 * - `sent`: the push service / SMTP server accepted the message;
 * - `gone`: the target no longer exists (push 404/410) — drop the device, never retry;
 * - `transient`: worth another attempt later (push 429/5xx, timeouts, connection errors, SMTP 4xx);
 *   `retryAfterMs` carries the server's Retry-After when it gave one;
 * - `permanent`: retrying cannot help (other 4xx, SMTP 5xx, an address the outbound policy refuses);
 * - `unknown`: the message left (the push request was written, the SMTP server may have had the
 *   message) but no answer came back (a timeout, the connection lost): it may have been delivered.
 *   Never retried — a retry could deliver it twice, and delivery is at most once.
 */
export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'gone'; reason: string }
  | { outcome: 'transient'; reason: string; retryAfterMs?: number }
  | { outcome: 'permanent'; reason: string }
  | { outcome: 'unknown'; reason: string };
