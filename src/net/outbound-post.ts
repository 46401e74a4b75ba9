import { lookup as dnsLookup } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboundPolicy } from './outbound-policy.ts';

/**
 * One POST to a URL someone else chose, made so that it cannot be turned against Chronicle's own
 * network (server-side request forgery):
 *
 * - the URL must pass the policy (http(s), no credentials, no internal literal address);
 * - the host name is resolved once, every address it resolves to is checked, and the connection
 *   goes to those checked addresses (the lookup is the socket's own), so a name cannot resolve to
 *   a public address for the check and to an internal one for the connection (DNS rebinding);
 * - redirects are never followed (node:http does not follow them): the caller sees the 3xx;
 * - what went wrong is told in coarse categories only: refused, reset, unresolvable and silent
 *   all read TARGET_UNREACHABLE, so failures cannot be used to map hosts and ports.
 */
export type OutboundFailure = 'TARGET_NOT_ALLOWED' | 'TARGET_UNREACHABLE' | 'CANCELLED';

export class OutboundError extends Error {
  /**
   * The whole request had been written to the connection before it failed: the target may have
   * acted on it even though no answer came back (a timeout or a reset while waiting for it).
   */
  readonly requestSent: boolean;

  constructor(
    readonly failure: OutboundFailure,
    message: string,
    options: { cause?: unknown; requestSent?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'OutboundError';
    this.requestSent = options.requestSent ?? false;
  }
}

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  /** Text (webhooks) or bytes (an encrypted web push message). */
  body: string | Uint8Array;
  /** Covers resolving, connecting, sending and the response's headers. */
  timeoutMs: number;
  /** The caller gave up (a cancelled activity). */
  signal?: AbortSignal;
  policy: OutboundPolicy;
}

export interface OutboundResponse {
  status: number;
  /** Only the headers; the body is never read, so nothing of it can be passed on. */
  headers: IncomingHttpHeaders;
}

/**
 * A socket's `lookup` that resolves every address of the name and fails (telling `onRefused`)
 * unless the policy allows all of them; the socket then connects only to what it returned.
 */
export function checkedLookup(policy: OutboundPolicy, onRefused: () => void): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const first = addresses[0];
      if (!first || !addresses.every((each) => policy.allowsAddress(hostname, each.address))) {
        onRefused();
        return callback(new Error('the target resolves to an address that is not allowed'), '');
      }
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

export function postOutbound(request: OutboundRequest): Promise<OutboundResponse> {
  const refusal = request.policy.urlRefusal(request.url);
  if (refusal) {
    return Promise.reject(
      new OutboundError('TARGET_NOT_ALLOWED', `The target is not allowed: ${refusal.message}`),
    );
  }
  const target = new URL(request.url);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  let refused = false;
  const lookup = checkedLookup(request.policy, () => {
    refused = true;
  });
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      target,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        // A connection of its own, closed after: no socket outlives the check it was made under.
        agent: false,
        lookup,
        signal,
      },
      (response) => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
        response.destroy();
      },
    );
    // 'finish': the request's last byte was handed to the connection.
    let sent = false;
    outgoing.on('finish', () => {
      sent = true;
    });
    outgoing.on('error', (error) => {
      if (refused) {
        reject(
          new OutboundError('TARGET_NOT_ALLOWED', 'The target resolves to an address that is not allowed'),
        );
      } else if (request.signal?.aborted) {
        reject(
          new OutboundError('CANCELLED', 'The request was cancelled', { cause: error, requestSent: sent }),
        );
      } else {
        reject(
          new OutboundError(
            'TARGET_UNREACHABLE',
            `The target could not be reached or did not answer within ${request.timeoutMs} ms`,
            { cause: error, requestSent: sent },
          ),
        );
      }
    });
    outgoing.end(request.body);
  });
}
