import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import type { ReseedReason } from './feed/pull.ts';

const REASONS = ['NEW_DEVICE', 'SCOPE_CHANGED', 'TOO_FAR_BEHIND', 'ERASURE', 'CURSOR_AHEAD'] as const;

/**
 * A re-seed under way, as the device carries it from page to page: why it re-seeds (every page
 * says so, not only the first), the scopes the snapshot was started for (a person who joins or
 * leaves something halfway must start again: the pages already sent were read for the old set)
 * and the snapshot's own position (feed/snapshot-token.ts, validated there).
 */
export interface ReseedToken {
  reason: ReseedReason;
  scopeHash: string;
  snapshot: string;
  /** The snapshot started at the cursor the device came with (see sync.ts, `seeded`). */
  atCursor: boolean;
}

const tokenSchema = z
  .object({
    v: z.literal(1),
    r: z.enum(REASONS),
    s: z.string().min(1).max(100),
    t: z.string().min(1).max(1_000),
    c: z.literal(true).optional(),
  })
  .strict();

/** Whose token it is and the server's secret (AUTH_SECRET) its MAC is keyed from. */
export interface ReseedTokenSigner {
  authSecret: Uint8Array;
  userId: string;
}

const MAC_CHARS = 43; // 32 bytes of HMAC-SHA256 in base64url
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{1,1900}\\.[A-Za-z0-9_-]{${MAC_CHARS}}$`);

/**
 * The token's key: derived from AUTH_SECRET for this one purpose (as account-recovery links are,
 * auth/recovery-tokens.ts), so every API process accepts the others' tokens, nothing secret is
 * stored, and a MAC made here is no use for anything else.
 */
const tokenKey = (authSecret: Uint8Array) =>
  Buffer.from(hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/sync-snapshot-tokens', 32));

/** The MAC binds the body to the person: another person's token (from a shared device, say) is refused. */
const macOf = (signer: ReseedTokenSigner, body: string) =>
  createHmac('sha256', tokenKey(signer.authSecret))
    .update(`${signer.userId.toLowerCase()}\n`)
    .update(body)
    .digest();

/**
 * Opaque to clients: base64url of a small JSON object, a dot, and base64url of an HMAC-SHA256 over
 * the person's id and that body. Only this server makes one: a client cannot edit the snapshot's
 * position, reason or scopes to walk what it may not see or skip what it must.
 */
export function encodeReseedToken(signer: ReseedTokenSigner, token: ReseedToken): string {
  const json = JSON.stringify({
    v: 1,
    r: token.reason,
    s: token.scopeHash,
    t: token.snapshot,
    ...(token.atCursor ? { c: true } : {}),
  });
  const body = Buffer.from(json, 'utf8').toString('base64url');
  return `${body}.${macOf(signer, body).toString('base64url')}`;
}

/**
 * A token back from a client; anything this server did not make for this person (malformed,
 * altered, forged, made for someone else or under another secret) is VALIDATION
 * SNAPSHOT_TOKEN_INVALID. The MAC is compared in constant time before the body is parsed.
 */
export function decodeReseedToken(signer: ReseedTokenSigner, raw: string): ReseedToken {
  const invalid = (problem: 'FORMAT' | 'SIGNATURE') =>
    validation(
      'SNAPSHOT_TOKEN_INVALID',
      'The snapshot token is not one this server gave you: start the snapshot again (no cursor, no token)',
      { problem },
    );
  if (!TOKEN_SHAPE.test(raw)) throw invalid('FORMAT');
  const [body = '', presented = ''] = raw.split('.');
  const mac = Buffer.from(presented, 'base64url');
  const expected = macOf(signer, body);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw invalid('SIGNATURE');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('FORMAT');
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw invalid('FORMAT');
  return {
    reason: parsed.data.r,
    scopeHash: parsed.data.s,
    snapshot: parsed.data.t,
    atCursor: parsed.data.c === true,
  };
}
