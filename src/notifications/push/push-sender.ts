import webpush from 'web-push';
import { retryAfterMs } from '../../ai/backoff.ts';
import type { Logger } from '../../logger.ts';
import type { OutboundPolicy } from '../../net/outbound-policy.ts';
import { OutboundError, postOutbound } from '../../net/outbound-post.ts';
import type { SendOutcome } from '../send-outcome.ts';
import type { VapidKeys } from './vapid-keys.ts';

/** A registered device's push subscription, as the `devices` read model holds it. */
export interface PushTarget {
  deviceId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What the service worker receives (the JSON payload, encrypted to the device). */
export interface PushMessage {
  notificationId: string;
  type: string;
  title: string;
  body: string;
  path: string;
}

export interface PushOptions {
  /** How long the push service keeps an undelivered message (default 24 h). */
  ttlSeconds?: number;
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces an undelivered message with the same topic (≤ 32 base64url characters). */
  topic?: string;
}

export interface PushSender {
  send(target: PushTarget, message: PushMessage, options?: PushOptions): Promise<SendOutcome>;
}

export interface PushSenderOptions {
  vapid: VapidKeys;
  /** Which endpoints may be reached (`OUTBOUND_ALLOW_INTERNAL`); checked before every send. */
  outbound: OutboundPolicy;
  log: Logger;
  /** Resolving, connecting, sending and the push service's answer (default 10 s). */
  timeoutMs?: number;
}

export const DEFAULT_PUSH_TIMEOUT_MS = 10_000;
export const DEFAULT_PUSH_TTL_SECONDS = 24 * 3600;

/**
 * Lengths that keep the payload well inside the 4 KiB a push service must accept (RFC 8030 §7.2,
 * less RFC 8291's 103 bytes of header, padding and tag), whatever the text's characters.
 */
const MAX_TITLE = 200;
const MAX_BODY = 600;

/**
 * Web Push through the `web-push` library: it encrypts the payload to the device (RFC 8291,
 * aes128gcm) and signs the VAPID JWT (RFC 8292); the request itself goes out through Chronicle's
 * guarded client (src/net/outbound-post.ts), because an endpoint is a URL a browser — anyone —
 * handed us: the URL is checked against the outbound policy before every send, the host's
 * addresses when connecting (no DNS rebinding), redirects are not followed, and failures are told
 * in categories. The push service's answer becomes a SendOutcome:
 * 2xx sent; 404/410 gone (the subscription is dead: drop the device); 429, 5xx, 408 and failures
 * before the request was written (unresolvable, refused, a connect timeout) transient (Retry-After
 * honoured); no answer once the request was written (a timeout, a reset) unknown: the service may
 * have queued it, so it is not sent again; any other answer permanent.
 */
export function createPushSender(options: PushSenderOptions): PushSender {
  const { vapid, outbound, log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
  const vapidDetails = { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey };
  return {
    async send(target, message, pushOptions = {}) {
      const refusal = outbound.urlRefusal(target.endpoint);
      if (refusal) return refused(log, target, `endpoint not allowed: ${refusal.problem}`);
      let request: webpush.RequestDetails;
      try {
        request = webpush.generateRequestDetails(
          { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
          JSON.stringify(payloadOf(message)),
          {
            vapidDetails,
            contentEncoding: 'aes128gcm',
            TTL: pushOptions.ttlSeconds ?? DEFAULT_PUSH_TTL_SECONDS,
            ...(pushOptions.urgency ? { urgency: pushOptions.urgency } : {}),
            ...(pushOptions.topic ? { topic: pushOptions.topic } : {}),
          },
        );
      } catch (error) {
        // Keys that cannot be encrypted to, a topic web-push refuses: no attempt can succeed.
        return refused(log, target, `cannot build the push message: ${messageOf(error)}`);
      }
      const at = Date.now();
      try {
        const response = await postOutbound({
          url: target.endpoint,
          headers: headersOf(request.headers),
          body: request.body ?? new Uint8Array(),
          timeoutMs,
          policy: outbound,
        });
        const outcome = outcomeOf(response.status, single(response.headers['retry-after']), at);
        log[outcome.outcome === 'sent' ? 'debug' : 'info'](
          {
            deviceId: target.deviceId,
            notificationId: message.notificationId,
            status: response.status,
            ...outcome,
          },
          'push: the push service answered',
        );
        return outcome;
      } catch (error) {
        if (error instanceof OutboundError && error.failure === 'TARGET_NOT_ALLOWED') {
          return refused(log, target, 'endpoint not allowed: INTERNAL_ADDRESS');
        }
        if (error instanceof OutboundError && error.requestSent) {
          // The push service had the whole request and did not answer in time (or dropped the
          // connection while we waited): it may have queued the push. Another try could show it twice.
          const reason = `no answer after the request was sent (${error.failure})`;
          log.info({ deviceId: target.deviceId, reason }, 'push: sent, but the push service did not answer');
          return { outcome: 'unknown', reason };
        }
        const reason = error instanceof OutboundError ? error.failure : 'TARGET_UNREACHABLE';
        log.info({ deviceId: target.deviceId, reason }, 'push: the push service could not be reached');
        return { outcome: 'transient', reason };
      }
    },
  };
}

/** The JSON the service worker reads: `{ id, type, title, body, path }`. */
export function payloadOf(message: PushMessage) {
  return {
    id: message.notificationId,
    type: message.type,
    title: truncated(message.title, MAX_TITLE),
    body: truncated(message.body, MAX_BODY),
    path: message.path,
  };
}

/** A push service's status as an outcome (RFC 8030 §5, and what FCM, Mozilla and Apple answer). */
export function outcomeOf(status: number, retryAfter: string | undefined, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  if (status === 404 || status === 410) return { outcome: 'gone', reason: `HTTP ${status}` };
  if (status === 408 || status === 429 || status >= 500) {
    const wait =
      retryAfter === undefined ? undefined : retryAfterMs(new Headers({ 'retry-after': retryAfter }), now);
    return {
      outcome: 'transient',
      reason: `HTTP ${status}`,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }
  return { outcome: 'permanent', reason: `HTTP ${status}` };
}

function refused(log: Logger, target: PushTarget, reason: string): SendOutcome {
  log.warn({ deviceId: target.deviceId, reason }, 'push: not sent');
  return { outcome: 'permanent', reason };
}

/** web-push's headers as text; the guarded client sets Content-Length itself. */
function headersOf(headers: webpush.Headers): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => [name, String(value)]),
  );
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const truncated = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
