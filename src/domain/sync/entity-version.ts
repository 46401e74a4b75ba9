import type { SyncEntityType } from './change-types.ts';
import { type FeedSourceEvent, feedRecordsOf } from './feed-records.ts';

/**
 * The version of one entity, as both sides of sync define it: the stream revision of the last event
 * `feedRecordsOf` maps to that entity; -1 when there is none. A device's `baseVersion` is compared
 * with this, so the push side and the feed can never disagree on what "moved on" means.
 */
export function entityVersion(
  events: readonly FeedSourceEvent[],
  entityType: SyncEntityType,
  entityId: string,
): number {
  const id = entityId.toLowerCase();
  let version = -1;
  for (const event of events) {
    for (const record of feedRecordsOf(event)) {
      if (
        record.entityType === entityType &&
        record.entityId.toLowerCase() === id &&
        record.version > version
      ) {
        version = record.version;
      }
    }
  }
  return version;
}
