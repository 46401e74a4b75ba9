/**
 * Which IP addresses are internal: anything a request from inside Chronicle's network could reach
 * that a stranger on the internet could not (loopback, private and link-local networks, the cloud
 * metadata service at 169.254.169.254), and anything that is not a unicast internet address at all
 * (unspecified, multicast, broadcast, reserved). Webhooks must never be delivered to these unless
 * the operator allows it (src/net/outbound-policy.ts).
 *
 * Addresses are read as bytes, so every spelling of one address is judged the same:
 * `2130706433`, `0x7f.1` and `0177.0.0.1` are 127.0.0.1 (inet_aton and the URL standard accept
 * them), and an IPv6 address that carries an IPv4 one (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) is judged by the IPv4 address it leads to.
 */

export type IpAddress = { family: 4; bytes: readonly number[] } | { family: 6; bytes: readonly number[] };

export type InternalKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-nat'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

export interface InternalRange {
  kind: InternalKind;
  /** The range the address fell in, e.g. `169.254.0.0/16`. */
  range: string;
}

export interface Cidr {
  family: 4 | 6;
  bytes: readonly number[];
  prefix: number;
}

/**
 * An IP address in any spelling a resolver or URL parser would accept, or null when `text` is not
 * one (a host name). IPv6 may come in brackets and with a zone (`fe80::1%eth0`).
 */
export function parseIpAddress(text: string): IpAddress | null {
  const trimmed = text.trim();
  const unbracketed = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (unbracketed.includes(':')) {
    const bytes = parseIpv6(unbracketed.replace(/%[^%]*$/, ''));
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4(unbracketed);
  return bytes ? { family: 4, bytes } : null;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128); host bits are ignored. */
export function parseCidr(text: string): Cidr | null {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (addressText === undefined || extra !== undefined) return null;
  const address = parseIpAddress(addressText);
  if (!address) return null;
  const max = address.family === 4 ? 32 : 128;
  if (prefixText === undefined) return { ...address, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { ...address, prefix: Number(prefixText) };
}

/** Whether `address` is inside `cidr`; an IPv4-mapped IPv6 address counts as its IPv4 address. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  const candidate =
    address.family === 6 && cidr.family === 4 ? (mappedIpv4(address.bytes) ?? []) : address.bytes;
  if (candidate.length !== cidr.bytes.length) return false;
  return prefixMatches(candidate, cidr.bytes, cidr.prefix);
}

/** The internal range `address` is in, or null for a public unicast address. */
export function internalRange(address: IpAddress | string): InternalRange | null {
  const parsed = typeof address === 'string' ? parseIpAddress(address) : address;
  // Not an address at all: nothing to connect to, so nothing to allow.
  if (!parsed) return { kind: 'reserved', range: 'not an IP address' };
  return parsed.family === 4 ? ipv4Range(parsed.bytes) : ipv6Range(parsed.bytes);
}

export const isInternalAddress = (address: IpAddress | string): boolean => internalRange(address) !== null;

export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return address.bytes.join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

type Range = readonly [cidr: string, kind: InternalKind];

/** IANA's IPv4 special-purpose registry, most specific first. */
const IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0/32', 'unspecified'],
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-nat'],
  ['127.0.0.0/8', 'loopback'],
  // Includes 169.254.169.254, the cloud metadata service.
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

/** IPv6 ranges that are internal by themselves (those that carry an IPv4 address are handled first). */
const IPV6_RANGES: readonly Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'],
  ['64:ff9b:1::/48', 'reserved'],
  ['100::/64', 'reserved'],
  ['2001::/32', 'reserved'],
  ['2001:2::/48', 'reserved'],
  ['2001:db8::/32', 'reserved'],
  ['3fff::/20', 'reserved'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
];

const compile = (ranges: readonly Range[]) =>
  ranges.map(([text, kind]) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`bad built-in range ${text}`);
    return { cidr, kind, text };
  });
const IPV4 = compile(IPV4_RANGES);
const IPV6 = compile(IPV6_RANGES);
/** Global unicast: every public IPv6 address is in it; the rest of the space is unallocated. */
const GLOBAL_UNICAST = compile([['2000::/3', 'reserved']])[0];

function ipv4Range(bytes: readonly number[]): InternalRange | null {
  const hit = IPV4.find(({ cidr }) => prefixMatches(bytes, cidr.bytes, cidr.prefix));
  return hit ? { kind: hit.kind, range: hit.text } : null;
}

function ipv6Range(bytes: readonly number[]): InternalRange | null {
  const embedded = embeddedIpv4(bytes);
  if (embedded) return ipv4Range(embedded);
  const hit = IPV6.find(({ cidr }) => prefixMatches(bytes, cidr.bytes, cidr.prefix));
  if (hit) return { kind: hit.kind, range: hit.text };
  if (GLOBAL_UNICAST && !prefixMatches(bytes, GLOBAL_UNICAST.cidr.bytes, GLOBAL_UNICAST.cidr.prefix)) {
    return { kind: 'reserved', range: 'outside 2000::/3' };
  }
  return null;
}

/** `::ffff:a.b.c.d` (mapped) and `::ffff:0:a.b.c.d` (translated): the socket talks IPv4 to a.b.c.d. */
function mappedIpv4(bytes: readonly number[]): readonly number[] | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  const ffff = (at: number) => bytes[at] === 0xff && bytes[at + 1] === 0xff;
  if (zeros(0, 10) && ffff(10)) return bytes.slice(12);
  if (zeros(0, 8) && ffff(8) && zeros(10, 12)) return bytes.slice(12);
  return null;
}

/** The IPv4 address an IPv6 one leads to: mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16). */
function embeddedIpv4(bytes: readonly number[]): readonly number[] | null {
  const mapped = mappedIpv4(bytes);
  if (mapped) return mapped;
  const nat64 = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
  if (nat64.every((byte, i) => bytes[i] === byte)) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

function prefixMatches(address: readonly number[], network: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const index = bit / 8;
    const width = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    if (((address[index] ?? 0) & mask) !== ((network[index] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * IPv4 as inet_aton and the URL standard read it: one to four parts, each decimal, octal (leading
 * 0) or hex (0x); the last part fills the remaining bytes (`127.1` is 127.0.0.1, `2130706433` too).
 */
function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    const value = ipv4Part(part);
    if (value === null) return null;
    values.push(value);
  }
  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 256 ** lastBytes) return null;
  const tail: number[] = [];
  for (let i = lastBytes - 1; i >= 0; i--) tail.push(Math.floor(last / 256 ** i) % 256);
  return [...values, ...tail];
}

function ipv4Part(part: string): number | null {
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return null;
}

/** Eight groups of hex, `::` for a run of zero groups, optionally ending in a dotted IPv4 address. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // Only the address's very last piece may be dotted IPv4.
  const groupsOf = (half: string | undefined, endsAddress: boolean): number[] | null => {
    if (!half) return [];
    const bytes: number[] = [];
    const pieces = half.split(':');
    for (const [index, piece] of pieces.entries()) {
      if (endsAddress && index === pieces.length - 1 && piece.includes('.')) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(piece)) return null;
        const octets = piece.split('.').map(Number);
        if (octets.some((octet) => octet > 255)) return null;
        bytes.push(...octets);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
        const value = Number.parseInt(piece, 16);
        bytes.push(value >> 8, value & 0xff);
      }
    }
    return bytes;
  };
  const head = groupsOf(halves[0], halves.length === 1);
  const tail = groupsOf(halves[1], true);
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 16 ? head : null;
  const missing = 16 - head.length - tail.length;
  if (missing < 2) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
