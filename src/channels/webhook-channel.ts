import type { OutboundPolicy } from '../net/outbound-policy.ts';
import { OutboundError, type OutboundResponse, postOutbound } from '../net/outbound-post.ts';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

/**
 * The webhook channel's HTTP client: one signed POST with a timeout, made through the SSRF guard
 * (src/net/outbound-post.ts), and a verdict on what to do about a failure. It retries nothing
 * itself; the caller (a Temporal activity) owns the retry policy, so every attempt is visible and
 * durable.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const EVENT_HEADER = 'x-chronicle-event';

export interface WebhookRequest {
  url: string;
  /** The exact JSON text that is signed and sent. */
  body: string;
  /** The channel's signing key (`channelSigningSecret`). */
  secret: string;
  /** The same for every attempt of one delivery, so the receiver can drop repeats. */
  idempotencyKey: string;
  /** `content.published`, `content.unpublished`, … (also in the body's `type`). */
  event: string;
  /** More headers (an integrator webhook's delivery id); the ones above cannot be overridden. */
  headers?: Readonly<Record<string, string>>;
  /** Signing time; receivers refuse signatures more than a few minutes old. */
  at: Date;
  timeoutMs: number;
  /** Aborts the request (the activity was cancelled). */
  signal?: AbortSignal;
  /** Which targets are allowed (`OUTBOUND_ALLOW_INTERNAL`); checked again at every delivery. */
  policy: OutboundPolicy;
}

export interface WebhookResponse {
  status: number;
  /** The receiver's Location header on a 2xx, made absolute against the URL; null without one. */
  location: string | null;
}

export type WebhookErrorCode =
  /** The receiver refused the delivery (4xx other than 408/429, or a redirect): retrying will not help. */
  | 'WEBHOOK_REJECTED'
  /** 5xx, 408 or 429: worth another attempt. */
  | 'WEBHOOK_FAILED'
  /**
   * Connection refused or reset, DNS failure, TLS failure, no answer in time: one category on
   * purpose, so failures do not tell which ports and hosts exist (src/net/outbound-post.ts).
   */
  | 'WEBHOOK_UNREACHABLE'
  /** The URL, or an address its host resolves to, is internal and not allowed (docs/security.md). */
  | 'WEBHOOK_TARGET_NOT_ALLOWED'
  | 'WEBHOOK_CANCELLED';

export class WebhookError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** From a 429's or 503's Retry-After header. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    options: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'WebhookError';
    this.retryable = code === 'WEBHOOK_FAILED' || code === 'WEBHOOK_UNREACHABLE';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Statuses worth another attempt: the receiver is overloaded, slow or broken for now. */
export const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * POSTs the signed delivery; resolves on 2xx, throws a WebhookError otherwise. Messages name the
 * URL as configured, the category and the status only: they end up in events the brand's members
 * read, so nothing the target said (headers, body, a redirect's Location) or how the connection
 * failed goes in them.
 */
export async function postWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  let response: OutboundResponse;
  try {
    response = await postOutbound({
      url: request.url,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'user-agent': 'Chronicle-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(request.secret, request.body, request.at),
        [IDEMPOTENCY_KEY_HEADER]: request.idempotencyKey,
        [EVENT_HEADER]: request.event,
      },
      body: request.body,
      timeoutMs: request.timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      policy: request.policy,
    });
  } catch (error) {
    throw transportError(error, request);
  }
  const { status, headers } = response;
  if (status >= 200 && status < 300) {
    return { status, location: absoluteLocation(single(headers.location), request.url) };
  }
  if (isRetryableStatus(status)) {
    const retryAfterMs = retryAfter(single(headers['retry-after']), request.at);
    throw new WebhookError('WEBHOOK_FAILED', `Webhook ${request.url} answered ${status}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  // A signed delivery goes where the brand said, never where a redirect points.
  const why = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  throw new WebhookError(
    'WEBHOOK_REJECTED',
    `Webhook ${request.url} refused the delivery with ${status}${why}`,
    {
      status,
    },
  );
}

function transportError(error: unknown, request: WebhookRequest): WebhookError {
  if (!(error instanceof OutboundError)) throw error;
  switch (error.failure) {
    case 'TARGET_NOT_ALLOWED':
      return new WebhookError(
        'WEBHOOK_TARGET_NOT_ALLOWED',
        `Webhook ${request.url} is not allowed: webhooks are not delivered to internal addresses`,
      );
    case 'CANCELLED':
      return new WebhookError('WEBHOOK_CANCELLED', `Delivery to ${request.url} was cancelled`);
    case 'TARGET_UNREACHABLE':
      return new WebhookError(
        'WEBHOOK_UNREACHABLE',
        `Webhook ${request.url} could not be reached or did not answer within ${request.timeoutMs} ms`,
      );
  }
}

const single = (value: string | string[] | undefined): string | null =>
  (Array.isArray(value) ? value[0] : value) ?? null;

function absoluteLocation(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).toString();
  } catch {
    return null;
  }
}

/** Retry-After as seconds or an HTTP date; absent or unreadable is undefined. */
function retryAfter(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
