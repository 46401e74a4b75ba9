import type { SyncEntityType } from '../../../domain/sync/change-types.ts';
import type { FeedSourceEvent } from '../../../domain/sync/feed-records.ts';
import type { SyncChange } from '../../../domain/sync/outcomes.ts';
import type { RequestContext } from '../../shared/command-context.ts';
import type { SyncDeps } from '../deps.ts';
import type { EntityStream } from './entity-stream.ts';

/** Where a change's entity lives, found the way its context's use case finds it. */
export interface LocatedEntity {
  /** The entity's stream; null for an append (a chat message names its conversation, not a stream of its own). */
  entity: EntityStream | null;
  /** The community the entity belongs to (a queued conflict's values are then under the community's key). */
  communityId: string | null;
}

/** What an applied change made that is not the entity it names (a reply, a message), for the outcome. */
export interface CreatedEntity {
  entity: EntityStream;
  entityType: SyncEntityType;
  entityId: string;
}

/**
 * How one change type reaches its context. `locate` refuses (a DomainError, NOT_FOUND as the use
 * case would) what the person may not see or change, before the server's value is read: a rule
 * must never answer someone with another person's value. `apply` runs the context's EXISTING use
 * case with the change id as the idempotency key (so a retried sync is answered by the command
 * pipeline instead of applied twice) and the payload the conflict rule settled on.
 */
export interface SyncApplier {
  locate(deps: SyncDeps, context: RequestContext, userId: string, change: SyncChange): Promise<LocatedEntity>;
  apply(
    deps: SyncDeps,
    context: RequestContext,
    change: SyncChange,
    payload: Record<string, unknown>,
  ): Promise<CreatedEntity | null>;
  /**
   * Whether the entity's stream already holds what applying this change made, recognised by the
   * id the use case derives from the change id (a retry after a crash between the append and the
   * receipt): then it is reported applied and nothing is decided again. Optional: the rules'
   * alreadyApplied covers the types whose value alone tells.
   */
  holds?(context: RequestContext, change: SyncChange, events: readonly FeedSourceEvent[]): boolean;
}
