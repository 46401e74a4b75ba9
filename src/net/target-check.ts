import { lookup } from 'node:dns/promises';
import { parseIpAddress } from './internal-address.ts';
import type { OutboundPolicy, TargetRefusal } from './outbound-policy.ts';

/** Configuration answers promptly; a resolver slower than this leaves the check to delivery. */
export const RESOLVE_TIMEOUT_MS = 2_000;

/**
 * The check made when someone sets a target (a webhook channel's URL): the URL's text, then the
 * addresses its host name resolves to now. A name that does not resolve (yet) passes: nothing can
 * be reached through it, and delivery resolves it again and checks every address before it
 * connects, which is also what stops a name that is re-pointed later (DNS rebinding).
 */
export async function targetRefusal(
  url: string,
  policy: OutboundPolicy,
  timeoutMs = RESOLVE_TIMEOUT_MS,
): Promise<TargetRefusal | null> {
  const refusal = policy.urlRefusal(url);
  if (refusal) return refusal;
  return resolvedRefusal(new URL(url).hostname, policy, timeoutMs);
}

/** The DNS half of the check: a host name that resolves, now, to an address the policy refuses. */
export async function resolvedRefusal(
  hostname: string,
  policy: OutboundPolicy,
  timeoutMs = RESOLVE_TIMEOUT_MS,
): Promise<TargetRefusal | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  // A literal address is the URL check's to judge; there is nothing to resolve.
  if (parseIpAddress(host)) return null;
  const addresses = await resolveWithin(host, timeoutMs);
  if (addresses.some((address) => !policy.allowsAddress(host, address))) {
    // Which address, or what kind, is not said: the name may be an internal one.
    return { problem: 'INTERNAL_ADDRESS', message: `the host ${host} resolves to an internal address` };
  }
  return null;
}

/**
 * getaddrinfo runs on libuv's small thread pool (4 threads), shared with scrypt (sign-in) and file
 * I/O, and a hung lookup keeps its thread after the timeout. So at most this many set-time lookups
 * run at once; beyond that the check is left to delivery, which resolves and checks anyway.
 */
const MAX_LOOKUPS_IN_FLIGHT = 2;
let lookupsInFlight = 0;

async function resolveWithin(host: string, timeoutMs: number): Promise<string[]> {
  if (lookupsInFlight >= MAX_LOOKUPS_IN_FLIGHT) return [];
  lookupsInFlight++;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  const resolved = lookup(host, { all: true })
    .then(
      (found) => found.map((entry) => entry.address),
      () => [],
    )
    .finally(() => {
      lookupsInFlight--;
    });
  try {
    return await Promise.race([resolved, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
