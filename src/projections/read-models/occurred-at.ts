import type { RecordedEvent } from '../../eventstore/port.ts';

/**
 * When the change happened in the domain's terms: the command's `now` (metadata `occurredAt`), so a
 * rebuild, a test with a fixed clock and the events themselves all agree. Falls back to the store's
 * commit time for events written without it.
 */
export function occurredAt(recorded: RecordedEvent): string {
  const value = recorded.metadata.occurredAt;
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? value
    : recorded.createdAt.toISOString();
}
