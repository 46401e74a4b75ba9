import type { StreamEvents } from './entity-stream.ts';

/** What a push stored: the last position it reached and the event types it appended. */
export interface Written {
  position: bigint | null;
  types: string[];
}

/** Notes events a push appended, at `position` (the orchestrator waits for the read models up to it). */
export function noteAppended(written: Written, position: bigint | null, types: readonly string[]): void {
  if (types.length === 0 || position === null) return;
  written.types.push(...types);
  if (written.position === null || position > written.position) written.position = position;
}

/** What an apply stored: the stream's events past the revision read before it (all of a new stream's). */
export function noteApplied(written: Written, revisionBefore: number, after: StreamEvents): void {
  const added = after.events.filter((event) => event.revision > revisionBefore);
  noteAppended(
    written,
    after.position,
    added.map((event) => event.type),
  );
}
