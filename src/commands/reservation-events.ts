import { z } from 'zod';
import type { RecordedEvent } from '../eventstore/port.ts';

/**
 * A reservation stream's events. They name the scope and the owner, never the value: the value
 * (an e-mail address, say) is personal data and only its hash appears, in the stream name.
 */
export const UNIQUE_VALUE_CLAIMED = 'UniqueValueClaimed';
export const UNIQUE_VALUE_RELEASED = 'UniqueValueReleased';
export const RESERVATION_SCHEMA_VERSION = 1;

const reservationData = z.object({ scope: z.string(), ownerId: z.string() });
export type ReservationData = z.infer<typeof reservationData>;

/** Who holds the value after these events: the last claim not followed by its owner's release. */
export function currentOwner(events: readonly RecordedEvent[]): string | null {
  let owner: string | null = null;
  for (const event of events) {
    if (event.type !== UNIQUE_VALUE_CLAIMED && event.type !== UNIQUE_VALUE_RELEASED) continue;
    const parsed = reservationData.safeParse(event.data);
    if (!parsed.success) {
      throw new Error(`Event ${event.type} at ${event.streamName}@${event.revision} has invalid data`);
    }
    if (event.type === UNIQUE_VALUE_CLAIMED) owner = parsed.data.ownerId;
    else if (owner === parsed.data.ownerId) owner = null;
  }
  return owner;
}
