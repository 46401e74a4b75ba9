import { GENESIS_HASH, linkOf } from '../eventstore/hash-chain.ts';
import type { ExportedEvent } from './export-format.ts';

/** Why a replay refused an export; `code` is stable, the message names the line, stream or file. */
export type ReplayProblem =
  | 'MANIFEST_INVALID'
  | 'FILE_MISSING'
  | 'FILE_SHA256_MISMATCH'
  | 'KEY_FILE_SHA256_MISMATCH'
  | 'KEY_FILE_INVALID'
  | 'TARGET_NOT_EMPTY'
  | 'LINE_INVALID'
  | 'OUT_OF_ORDER'
  | 'OUT_OF_RANGE'
  | 'CHAIN_BROKEN'
  | 'STREAM_STARTS_LATE'
  | 'DUPLICATE_EVENT_ID'
  | 'COUNT_MISMATCH'
  | 'ANCHOR_MISMATCH'
  | 'TARGET_CHAIN_DIFFERS';

export class ReplayRefused extends Error {
  constructor(
    readonly code: ReplayProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface StreamProgress {
  /** Last revision and link seen in the export. */
  revision: bigint;
  hash: string;
  /** The export starts this stream after revision 0 (range cut): its first link is taken as given. */
  cut: boolean;
  /** Revision the stream has in the target after what was appended so far (-1 = none). */
  targetRevision: bigint;
}

/**
 * Checks one exported event against its stream's previous one, as verifyChain does for a stored
 * stream: revisions follow each other and each link is the one its rule gives (hash-chain.ts).
 * Returns the stream's new progress; throws naming the line, stream, revision and event id.
 */
export function checkLink(
  event: ExportedEvent,
  previous: StreamProgress | undefined,
  line: number,
): StreamProgress {
  const revision = BigInt(event.revision);
  const where = `line ${line}: ${event.stream}@${event.revision} (event ${event.id})`;
  let predecessor: string | undefined;
  if (previous) {
    if (revision !== previous.revision + 1n) {
      throw new ReplayRefused(
        'CHAIN_BROKEN',
        `${where} follows revision ${previous.revision}: events of the stream are missing or reordered`,
      );
    }
    predecessor = previous.hash;
  } else if (revision === 0n) {
    predecessor = GENESIS_HASH;
  }
  if (predecessor !== undefined) {
    const expected = linkOf(predecessor, {
      ...event,
      createdAt: new Date(event.createdAt),
      linkVersion: event.linkVersion,
    });
    if (expected !== event.hash) {
      throw new ReplayRefused(
        'CHAIN_BROKEN',
        `${where}: hash chain broken (expected link ${expected}, file holds ${event.hash}); the event was altered`,
      );
    }
  }
  return {
    revision,
    hash: event.hash,
    cut: previous ? previous.cut : revision !== 0n,
    targetRevision: previous?.targetRevision ?? -1n,
  };
}
