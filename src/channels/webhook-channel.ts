import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

/**
 * The webhook channel's HTTP client: one signed POST with a timeout, and a verdict on what to do
 * about a failure. It retries nothing itself; the caller (a Temporal activity) owns the retry
 * policy, so every attempt is visible and durable.
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
  /** Signing time; receivers refuse signatures more than a few minutes old. */
  at: Date;
  timeoutMs: number;
  /** Aborts the request (the activity was cancelled). */
  signal?: AbortSignal;
}

export interface WebhookResponse {
  status: number;
  /** The receiver's Location header, made absolute against the URL; null without one. */
  location: string | null;
}

export type WebhookErrorCode =
  /** The receiver refused the delivery (4xx other than 408/429, or a redirect): retrying will not help. */
  | 'WEBHOOK_REJECTED'
  /** 5xx, 408 or 429: worth another attempt. */
  | 'WEBHOOK_FAILED'
  | 'WEBHOOK_TIMEOUT'
  /** Connection refused, reset, DNS failure, … */
  | 'WEBHOOK_UNREACHABLE'
  | 'WEBHOOK_CANCELLED';

export class WebhookError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  /** From a 429's or 503's Retry-After header. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'WebhookError';
    this.retryable =
      code === 'WEBHOOK_FAILED' || code === 'WEBHOOK_TIMEOUT' || code === 'WEBHOOK_UNREACHABLE';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Statuses worth another attempt: the receiver is overloaded, slow or broken for now. */
export const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** POSTs the signed delivery; resolves on 2xx, throws a WebhookError otherwise. */
export async function postWebhook(request: WebhookRequest): Promise<WebhookResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Chronicle-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(request.secret, request.body, request.at),
        [IDEMPOTENCY_KEY_HEADER]: request.idempotencyKey,
        [EVENT_HEADER]: request.event,
      },
      body: request.body,
      // A signed delivery goes where the brand said, never where a redirect points.
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw transportError(error, request, timeout);
  }
  // The body is not needed: free the connection without waiting for it.
  await response.body?.cancel().catch(() => undefined);
  const { status } = response;
  if (status >= 200 && status < 300) {
    return { status, location: absoluteLocation(response.headers.get('location'), request.url) };
  }
  if (isRetryableStatus(status)) {
    const retryAfterMs = retryAfter(response.headers.get('retry-after'), request.at);
    throw new WebhookError('WEBHOOK_FAILED', `Webhook ${request.url} answered ${status}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  throw new WebhookError('WEBHOOK_REJECTED', `Webhook ${request.url} refused the delivery with ${status}`, {
    status,
  });
}

function transportError(error: unknown, request: WebhookRequest, timeout: AbortSignal): WebhookError {
  if (timeout.aborted) {
    return new WebhookError(
      'WEBHOOK_TIMEOUT',
      `Webhook ${request.url} did not answer within ${request.timeoutMs} ms`,
      { cause: error },
    );
  }
  if (request.signal?.aborted) {
    return new WebhookError('WEBHOOK_CANCELLED', `Delivery to ${request.url} was cancelled`, {
      cause: error,
    });
  }
  const detail = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new WebhookError('WEBHOOK_UNREACHABLE', `Webhook ${request.url} could not be reached${detail}`, {
    cause: error,
  });
}

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
