import { accountEmailReactions } from './account-emails/reactions.ts';
import { matchingReactions } from './matching/reactions.ts';
import type { MatchingSettingsInput } from './matching/settings.ts';
import { notificationReactions } from './notifications/reactions.ts';
import type { RegisteredReaction } from './process-manager/reaction.ts';
import { publishingReactions } from './publishing/reactions.ts';
import { TASK_QUEUES } from './task-queues.ts';
import { transcodingReactions } from './transcoding/reactions.ts';
import { eventWebhookReactions } from './webhooks/reactions.ts';

/**
 * Every reaction the process manager runs: a saga adds `defineReaction({ ... })` for the events
 * that start or feed it. Order matters within one event: a start listed before a signal for the
 * same workflow is carried out first.
 */
export function reactionsWith(settings: ReactionSettings = {}): readonly RegisteredReaction[] {
  return [
    ...publishingReactions({ taskQueue: TASK_QUEUES.sagas }),
    ...transcodingReactions({
      taskQueue: TASK_QUEUES.sagas,
      settings: { media: { taskQueue: TASK_QUEUES.media } },
    }),
    ...matchingReactions({
      taskQueue: TASK_QUEUES.sagas,
      ...(settings.matching ? { settings: settings.matching } : {}),
    }),
    ...eventWebhookReactions({ taskQueue: TASK_QUEUES.webhooks }),
    ...accountEmailReactions({ taskQueue: TASK_QUEUES.sagas }),
    ...notificationReactions({ taskQueue: TASK_QUEUES.notifications }),
  ];
}

/** What the configuration decides about the sagas the reactions start (defaults when left out). */
export interface ReactionSettings {
  /** The offer timeout (`MATCH_OFFER_TIMEOUT_MS`). */
  matching?: MatchingSettingsInput;
}

export const REACTIONS: readonly RegisteredReaction[] = reactionsWith();
