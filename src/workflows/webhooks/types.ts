import type { IntegratorEvent } from '../../api/events/integrator-events.ts';
import type { EventWebhookSettingsInput } from './settings.ts';

export interface DeliverEventWebhookInput {
  webhookId: string;
  settings?: EventWebhookSettingsInput;
}

/**
 * What the workflow does next. `events`: deliver these (possibly none: the long poll found nothing,
 * or nothing read matched), then move the cursor to `through`; `idle`: paused or suspended, wait
 * for a change; `deleted`: stop for good.
 */
export type NextBatch =
  | {
      kind: 'events';
      url: string;
      events: IntegratorEvent[];
      /** The last position read (decimal): the cursor moves here once the batch is handled. */
      through: string;
      /** Events read, matching or not: none means the long poll found nothing and the cursor stays. */
      read: number;
      /** The replays applied when the batch was read: a replay since makes the cursor move a no-op. */
      replays: number;
    }
  | { kind: 'idle' }
  | { kind: 'deleted' };

/** What a dead letter records of the event. */
export type DeadLetteredEvent = Pick<IntegratorEvent, 'position' | 'id' | 'type' | 'streamName'>;
