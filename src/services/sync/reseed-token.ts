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

/** Opaque to clients: base64url of a small JSON object. */
export function encodeReseedToken(token: ReseedToken): string {
  const json = JSON.stringify({
    v: 1,
    r: token.reason,
    s: token.scopeHash,
    t: token.snapshot,
    ...(token.atCursor ? { c: true } : {}),
  });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** A token back from a client; anything this server did not make is VALIDATION SNAPSHOT_TOKEN_INVALID. */
export function decodeReseedToken(raw: string): ReseedToken {
  const invalid = () =>
    validation(
      'SNAPSHOT_TOKEN_INVALID',
      'The snapshot token is not one this server gave: start the snapshot again (no cursor, no token)',
      { problem: 'FORMAT' },
    );
  if (raw.length > 2_000 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw invalid();
  return {
    reason: parsed.data.r,
    scopeHash: parsed.data.s,
    snapshot: parsed.data.t,
    atCursor: parsed.data.c === true,
  };
}
