import type { SuspensionReason } from './webhook-values.ts';

/**
 * Commands on an integrator webhook. Which types the owner may receive and whether the URL is an
 * allowed target need I/O (the owner's role, DNS): the use case checks them before the decider
 * sees the command; the decider checks the values and who may act.
 */
export type EventWebhookCommand =
  | {
      type: 'CreateEventWebhook';
      webhookId: string;
      url: string;
      types: readonly string[];
      streamPrefix: string | null;
      startAfter: string;
    }
  | { type: 'PauseEventWebhook' }
  | { type: 'ResumeEventWebhook' }
  | { type: 'ReplayEventWebhook'; after: string }
  | { type: 'DeleteEventWebhook' }
  /** Delivery's own commands, issued as `system:event-webhooks`. */
  | { type: 'SuspendEventWebhook'; reason: SuspensionReason }
  | {
      type: 'DeadLetterDelivery';
      position: string;
      eventId: string;
      eventType: string;
      streamName: string;
      attempts: number;
      failure: string;
    };
