import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import type { Change, ChangeBus } from '../../projections/change-bus.ts';
import { videosOfComments } from './engagement-queries.ts';

type Wake = () => void;

/**
 * Which videos a projector change touched the comments of, for the subscriptions that watch a
 * video's counts. A comment's read-model rows are keyed by the comment alone, so a deletion or a
 * moderator's hide or restore of a comment names no video. Resolving that per subscriber would cost
 * one statement per subscriber for every such change on the platform; here it is one statement per
 * change for the whole process, and only while someone watches.
 */
export class CommentVideoChanges {
  private readonly watchers = new Map<string, Set<Wake>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: ChangeBus,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Calls `wake` after each change to a comment on `videoId`; returns the way to stop. */
  watch(videoId: string, wake: Wake): () => void {
    const set = this.watchers.get(videoId) ?? new Set<Wake>();
    set.add(wake);
    this.watchers.set(videoId, set);
    this.unsubscribe ??= this.bus.subscribe((change) => this.onChange(change));
    return () => {
      set.delete(wake);
      if (set.size === 0) this.watchers.delete(videoId);
      if (this.watchers.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }

  private onChange(change: Change): void {
    const ids = commentIdsOf(change);
    if (ids === 'all') {
      this.wakeAll();
      return;
    }
    if (ids.length === 0) return;
    videosOfComments(this.pool, ids).then(
      (videos) => {
        for (const videoId of new Set(videos.values())) {
          for (const wake of this.watchers.get(videoId) ?? []) wake();
        }
      },
      (error: unknown) => {
        // Waking everyone costs each watcher one read; missing a change would leave counts stale.
        this.log.warn({ err: error }, 'could not tell which videos a comment change concerns');
        this.wakeAll();
      },
    );
  }

  private wakeAll(): void {
    for (const set of this.watchers.values()) for (const wake of set) wake();
  }
}

/** The comments a change wrote (engagement rows, moderation of comments); 'all' when its keys were cut short. */
function commentIdsOf(change: Change): string[] | 'all' {
  if (change.projection === 'social_engagement') {
    if (change.truncated) return 'all';
    return change.keys.flatMap(({ table, key }) =>
      table === 'social_comments' && typeof key.comment_id === 'string' ? [key.comment_id] : [],
    );
  }
  if (change.projection === 'social_moderation') {
    if (change.truncated) return 'all';
    return change.keys.flatMap(({ table, key }) =>
      table === 'social_hidden' && key.target_kind === 'comment' && typeof key.target_id === 'string'
        ? [key.target_id]
        : [],
    );
  }
  return [];
}

const perBus = new WeakMap<ChangeBus, CommentVideoChanges>();

/** One per process (per change bus): every counts subscription shares its statement per change. */
export function commentVideoChangesOf(
  pool: pg.Pool,
  bus: ChangeBus,
  log: FastifyBaseLogger,
): CommentVideoChanges {
  let changes = perBus.get(bus);
  if (!changes) {
    changes = new CommentVideoChanges(pool, bus, log);
    perBus.set(bus, changes);
  }
  return changes;
}
