import type { RegisteredReaction } from './process-manager/reaction.ts';

/**
 * Every reaction the process manager runs: a saga adds `defineReaction({ ... })` for the events
 * that start or feed it. Order matters within one event: a start listed before a signal for the
 * same workflow is carried out first.
 */
export const REACTIONS: readonly RegisteredReaction[] = [];
