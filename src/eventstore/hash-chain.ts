import { createHash } from 'node:crypto';

/**
 * Tamper evidence: every event carries a link, computed by one of two rules (its link version):
 *   1: link_n = SHA-256(link_{n-1} ‖ digest_n)
 *   2: link_n = SHA-256(link_{n-1} ‖ digest_n ‖ recorded-at, µs since 1970 as int8 big-endian)
 * where digest_n is the SHA-256 of the event's canonical content and link_{-1} is 32 zero bytes.
 * Editing, removing or reordering any event (or, under rule 2, changing when it was recorded)
 * breaks the link of that event and every one after it.
 *
 * The embedded store links new events by rule 2 (migration 1732350000023: computed in SQL by
 * es_append_batch, by the rules es_link states); rule 1 is round 1's and the EventStoreDB adapter's, whose server stamps the time after
 * the link is made. Both adapters compute digests with this module.
 */

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedContent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth: one byte sequence per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function contentDigest(content: ChainedContent): string {
  const canonical = canonicalJson({ type: content.type, data: content.data, metadata: content.metadata });
  return createHash('sha256').update(canonical).digest('hex');
}

export function chainLink(previousHash: string, digest: string): string {
  return createHash('sha256')
    .update(Buffer.from(previousHash, 'hex'))
    .update(Buffer.from(digest, 'hex'))
    .digest('hex');
}

/** A rule-2 link: the content and the moment the store recorded the event. */
export function recordedLink(previousHash: string, digest: string, recordedAtMicros: bigint): string {
  const micros = Buffer.alloc(8);
  micros.writeBigInt64BE(recordedAtMicros);
  return createHash('sha256')
    .update(Buffer.from(previousHash, 'hex'))
    .update(Buffer.from(digest, 'hex'))
    .update(micros)
    .digest('hex');
}

export interface LinkedEvent extends ChainedContent {
  createdAt: Date;
  /** 2: the link covers createdAt too; absent: content only (rule 1). */
  linkVersion?: 2 | undefined;
}

/**
 * The link `event` should carry after a predecessor whose link is `previousHash`. `recordedAtMicros`
 * overrides createdAt's milliseconds when the reader has the stored microseconds.
 */
export function linkOf(previousHash: string, event: LinkedEvent, recordedAtMicros?: bigint): string {
  const digest = contentDigest(event);
  if (event.linkVersion !== 2) return chainLink(previousHash, digest);
  return recordedLink(previousHash, digest, recordedAtMicros ?? BigInt(event.createdAt.getTime()) * 1000n);
}
