import { createHash } from 'node:crypto';

/**
 * Tamper evidence: every event carries link_n = SHA-256(link_{n-1} ‖ digest_n), where digest_n is
 * the SHA-256 of the event's canonical content and link_{-1} is 32 zero bytes. Editing, removing or
 * reordering any event breaks the link of that event and every one after it.
 *
 * Both adapters compute digests with this module, so a stream's chain is the same whichever
 * store holds it.
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
