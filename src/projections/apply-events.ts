import type pg from 'pg';
import type { RecordedEvent } from '../eventstore/port.ts';
import { BatchWriter, type TouchedKey } from './batch-writer.ts';
import { handles, type Projection } from './projection.ts';

/** A projection could not apply an event: which one, and why. */
export class ProjectionFailure extends Error {
  readonly code = 'PROJECTION_FAILED';
  constructor(
    readonly projection: string,
    /** The event that threw, or the batch's last event when the flush failed. */
    readonly position: bigint,
    readonly eventType: string,
    cause: unknown,
  ) {
    super(
      `${projection} failed at position ${position} (${eventType}): ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** Applies events in order to one generation's tables, inside the caller's transaction. */
export async function applyEvents(
  client: pg.ClientBase,
  projection: Projection,
  generation: number,
  events: readonly RecordedEvent[],
): Promise<TouchedKey[]> {
  const writer = new BatchWriter(client, projection, generation);
  const handled = events.filter((event) => handles(projection, event.type));
  if (projection.prefetch && handled.length > 1) {
    const last = handled.at(-1) as RecordedEvent;
    try {
      await writer.load(projection.prefetch(handled));
    } catch (error) {
      throw new ProjectionFailure(projection.name, last.position, last.type, error);
    }
  }
  for (const event of handled) {
    try {
      await projection.apply(event, writer);
    } catch (error) {
      throw new ProjectionFailure(projection.name, event.position, event.type, error);
    }
  }
  const touched = writer.touched();
  try {
    await writer.flush();
  } catch (error) {
    const last = events.at(-1);
    throw new ProjectionFailure(projection.name, last?.position ?? -1n, last?.type ?? 'batch', error);
  }
  return touched;
}
