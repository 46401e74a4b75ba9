import { z } from 'zod';
import { validation } from '../../../domain/shared/domain-error.ts';
import { SYNC_ENTITY_TYPES, type SyncEntityType } from '../../../domain/sync/change-types.ts';

/** The entity types a snapshot walks, one stage each, in this order ('scope' is not an entity). */
export const SNAPSHOT_STAGES = SYNC_ENTITY_TYPES.filter(
  (type): type is Exclude<SyncEntityType, 'scope'> => type !== 'scope',
);

/**
 * Where a snapshot stands: the feed position it was started at (every page is read as of then,
 * and the feed continues after it), the stage (entity type) and the last entity id sent in it.
 */
export interface SnapshotPosition {
  start: bigint;
  stage: number;
  after: string | null;
}

const tokenSchema = z
  .object({
    v: z.literal(1),
    start: z.string().regex(/^(-1|0|[1-9][0-9]{0,18})$/),
    stage: z
      .number()
      .int()
      .min(0)
      .max(SNAPSHOT_STAGES.length - 1),
    // An entity id: printable ASCII only. NUL (which PostgreSQL refuses in text) or anything else
    // outside what ids are made of is no position a snapshot handed out.
    after: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/)
      .nullable(),
  })
  .strict();

/** Opaque to clients: base64url of a small JSON object. */
export function encodeSnapshotToken(position: SnapshotPosition): string {
  const json = JSON.stringify({
    v: 1,
    start: position.start.toString(),
    stage: position.stage,
    after: position.after,
  });
  return Buffer.from(json, 'utf8').toString('base64url');
}

const invalid = (problem: string) =>
  validation(
    'SNAPSHOT_TOKEN_INVALID',
    'The snapshot token is not one this server gave: start the snapshot again',
    {
      problem,
    },
  );

/**
 * A token back from a client: anything not made by `encodeSnapshotToken` is refused
 * (VALIDATION SNAPSHOT_TOKEN_INVALID), and so is one starting past `head` (from another server or a
 * restored database), whose cursor would promise records this feed never sent.
 */
export function decodeSnapshotToken(token: string, head: bigint): SnapshotPosition {
  if (token.length > 600 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('FORMAT');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('FORMAT');
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw invalid('FORMAT');
  const start = BigInt(parsed.data.start);
  if (start > head) throw invalid('AHEAD');
  return { start, stage: parsed.data.stage, after: parsed.data.after };
}
