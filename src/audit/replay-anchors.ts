import { z } from 'zod';
import { MerkleAccumulator } from '../domain/audit/merkle.ts';
import { ANCHOR_STREAM_PREFIX, leafOf } from './anchors.ts';
import { type ExportedAnchor, type ExportedEvent, fromExportedEvent } from './export-format.ts';
import { ReplayRefused } from './replay-verification.ts';

const ANCHOR_EVENT_TYPE = 'AuditAnchored';

/**
 * Recomputes, while the export streams past, the Merkle root of every anchor the manifest lists
 * (only when the file is complete for them, i.e. exported without a prefix): one accumulator at a
 * time, O(log n) memory. Anchor events found in the file must match the manifest's list.
 */
export class AnchorCheck {
  private readonly anchors: ExportedAnchor[];
  private index = 0;
  private current: MerkleAccumulator | undefined;
  private verified = 0;

  constructor(
    anchors: readonly ExportedAnchor[],
    private readonly active: boolean,
  ) {
    this.anchors = [...anchors].sort((a, b) => compare(BigInt(a.fromPosition), BigInt(b.fromPosition)));
  }

  add(event: ExportedEvent, line: number): void {
    if (!this.active) return;
    if (event.stream.startsWith(ANCHOR_STREAM_PREFIX)) {
      this.checkListed(event, line);
      return;
    }
    const position = BigInt(event.position);
    this.finishBefore(position);
    const anchor = this.anchors[this.index];
    if (!anchor || position < BigInt(anchor.fromPosition)) return;
    this.current ??= new MerkleAccumulator();
    this.current.add(leafOf(fromExportedEvent(event)));
  }

  /** Checks the anchors not closed yet; returns how many anchors were verified. */
  finish(): number {
    if (!this.active) return 0;
    this.finishBefore(undefined);
    return this.verified;
  }

  private finishBefore(position: bigint | undefined): void {
    for (
      let anchor = this.anchors[this.index];
      anchor && (position === undefined || BigInt(anchor.toPosition) < position);
      anchor = this.anchors[this.index]
    ) {
      const accumulator = this.current ?? new MerkleAccumulator();
      const root = accumulator.root().toString('hex');
      if (accumulator.size !== anchor.eventCount || root !== anchor.merkleRoot) {
        throw new ReplayRefused(
          'ANCHOR_MISMATCH',
          `anchor ${anchor.stream} over positions ${anchor.fromPosition}..${anchor.toPosition} does not match the file: ` +
            `it commits to ${anchor.eventCount} events with root ${anchor.merkleRoot}, the file holds ${accumulator.size} with root ${root}`,
        );
      }
      this.verified++;
      this.current = undefined;
      this.index++;
    }
  }

  private checkListed(event: ExportedEvent, line: number): void {
    if (event.type !== ANCHOR_EVENT_TYPE) return;
    const data = anchorData.safeParse(event.data).data;
    const listed = this.anchors.find((a) => a.stream === event.stream);
    if (!listed && data && !this.covered(data)) return;
    const same =
      listed !== undefined &&
      data !== undefined &&
      listed.fromPosition === data.fromPosition &&
      listed.toPosition === data.toPosition &&
      listed.eventCount === data.eventCount &&
      listed.merkleRoot === data.merkleRoot;
    if (!same) {
      throw new ReplayRefused(
        'ANCHOR_MISMATCH',
        `line ${line}: anchor event ${event.stream} is not the anchor the manifest lists for it`,
      );
    }
  }

  private covered(data: { fromPosition: string; toPosition: string }): boolean {
    const first = this.anchors[0];
    const last = this.anchors.at(-1);
    if (!first || !last) return false;
    return (
      BigInt(data.fromPosition) >= BigInt(first.fromPosition) &&
      BigInt(data.toPosition) <= BigInt(last.toPosition)
    );
  }
}

const anchorData = z.object({
  fromPosition: z.string(),
  toPosition: z.string(),
  eventCount: z.number(),
  merkleRoot: z.string(),
});

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
