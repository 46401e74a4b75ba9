import { eventWebhookEventCatalogue } from '../../domain/webhooks/webhook-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import { eventWebhookWorkflowId, WEBHOOK_CHANGED_SIGNAL } from './ids.ts';
import type { EventWebhookSettingsInput } from './settings.ts';
import type { DeliverEventWebhookInput } from './types.ts';

export interface EventWebhookReactionOptions {
  taskQueue: string;
  /** Handed to every delivery workflow this starts (tests make retries fast); defaults otherwise. */
  settings?: EventWebhookSettingsInput;
}

/**
 * EventWebhookCreated starts the webhook's delivery workflow (its id derives from the webhook, so
 * a replayed event starts nothing new); every later change signals it, so it takes effect at once
 * rather than at the end of a long poll. A signal to a workflow that has ended counts as done.
 */
export function eventWebhookReactions(options: EventWebhookReactionOptions): RegisteredReaction[] {
  const { taskQueue, settings } = options;
  return [
    defineReaction({
      name: 'event-webhooks',
      catalogue: eventWebhookEventCatalogue,
      eventTypes: [
        'EventWebhookCreated',
        'EventWebhookPaused',
        'EventWebhookResumed',
        'EventWebhookReplayRequested',
        'EventWebhookSuspended',
        'EventWebhookDeleted',
      ],
      react({ event, recorded }) {
        const workflowId = eventWebhookWorkflowId(event.data.webhookId);
        if (event.type === 'EventWebhookCreated') {
          const input: DeliverEventWebhookInput = {
            webhookId: event.data.webhookId,
            ...(settings ? { settings } : {}),
          };
          return [
            { kind: 'start', workflowType: 'deliverEventWebhook', workflowId, taskQueue, args: [input] },
          ];
        }
        return [
          { kind: 'signal', workflowId, signal: WEBHOOK_CHANGED_SIGNAL, args: [{ eventId: recorded.id }] },
        ];
      },
    }),
  ];
}
