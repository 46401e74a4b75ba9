import { type Cidr, cidrContains, internalRange, parseCidr, parseIpAddress } from './internal-address.ts';

/**
 * Where Chronicle may send requests that someone other than the operator aims (webhook channels)
 * or that the operator configures (the audit root webhook): http(s) URLs without credentials whose
 * host is not internal (src/net/internal-address.ts), unless the deployment's allow-list
 * (`OUTBOUND_ALLOW_INTERNAL`) names the address's network or the host name.
 */
export type TargetProblem = 'INVALID_URL' | 'SCHEME' | 'CREDENTIALS' | 'INTERNAL_ADDRESS';

export interface TargetRefusal {
  problem: TargetProblem;
  /** Says what is wrong with the URL as given; never anything learnt by resolving or connecting. */
  message: string;
}

export interface OutboundPolicy {
  /** The allow-list's entries, as configured. */
  readonly allowInternal: readonly string[];
  /** Why `url` may not be a target, judged on its text alone (no DNS); null when it passes. */
  urlRefusal(url: string | URL): TargetRefusal | null;
  /** Whether a connection to `address`, reached through the host name `host`, is allowed. */
  allowsAddress(host: string, address: string): boolean;
}

export type AllowEntry = { cidr: Cidr } | { host: string };

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** An allow-list entry: an address, a CIDR (`10.0.0.0/8`, `fd00::/8`) or a host name; null if none. */
export function parseAllowEntry(entry: string): AllowEntry | null {
  const cidr = parseCidr(entry);
  if (cidr) return { cidr };
  const host = normalHost(entry);
  return HOST_NAME.test(host) ? { host } : null;
}

/** The policy for an allow-list; entries that do not parse are ignored (config.ts refuses them first). */
export function outboundPolicy(allowInternal: readonly string[] = []): OutboundPolicy {
  const entries = allowInternal.map(parseAllowEntry);
  const cidrs = entries.flatMap((entry) => (entry && 'cidr' in entry ? [entry.cidr] : []));
  const hosts = new Set(entries.flatMap((entry) => (entry && 'host' in entry ? [entry.host] : [])));
  const allowsAddress = (host: string, address: string) => {
    if (hosts.has(normalHost(host))) return true;
    const parsed = parseIpAddress(address);
    if (!parsed) return false;
    return internalRange(parsed) === null || cidrs.some((cidr) => cidrContains(cidr, parsed));
  };
  return {
    allowInternal: [...allowInternal],
    allowsAddress,
    urlRefusal(url) {
      let target: URL;
      try {
        target = typeof url === 'string' ? new URL(url) : url;
      } catch {
        return { problem: 'INVALID_URL', message: 'the URL is not a valid absolute URL' };
      }
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        return { problem: 'SCHEME', message: 'the URL must use http or https' };
      }
      if (target.username !== '' || target.password !== '') {
        return { problem: 'CREDENTIALS', message: 'the URL must not carry a user name or password' };
      }
      const host = normalHost(target.hostname);
      // The URL parser has already turned 2130706433, 0x7f.1 and the like into dotted form.
      const literal = parseIpAddress(host);
      if (literal) {
        const range = internalRange(literal);
        return allowsAddress(host, host)
          ? null
          : {
              problem: 'INTERNAL_ADDRESS',
              message: `the host ${host} is a ${range?.kind ?? 'reserved'} address`,
            };
      }
      // RFC 6761: these names are loopback wherever they are resolved, so they are judged as such.
      if (host === 'localhost' || host.endsWith('.localhost')) {
        return allowsAddress(host, '127.0.0.1') && allowsAddress(host, '::1')
          ? null
          : { problem: 'INTERNAL_ADDRESS', message: `the host ${host} is a loopback address` };
      }
      return null;
    },
  };
}

/** No internal target at all: what every outbound call gets unless a deployment sets an allow-list. */
export const STRICT_OUTBOUND_POLICY = outboundPolicy([]);

/** Lower case, without IPv6 brackets or the root's trailing dot (`LOCALHOST.` is `localhost`). */
function normalHost(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}
