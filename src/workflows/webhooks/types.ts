import type { IntegratorEvent } from '../../api/events/integrator-events.ts';
import type { SuspensionReason } from '../../domain/webhooks/webhook-values.ts';
import type { DeliverySettings } from '../publishing/settings.ts';
import type { WebhookOwner } from './access.ts';
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
      /** Whose access the lanes check again before each POST. */
      owner: WebhookOwner;
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

/**
 * One stream's events of a batch, in position order, for one `deliverStreamEvents` activity: it
 * starts at `from` (the event's index in `events` and that event's attempt number; later events
 * start at attempt 1).
 */
export interface StreamLane {
  url: string;
  /** Absent on lanes scheduled before owners travelled with them: the activity reads the webhook then. */
  owner?: WebhookOwner;
  events: IntegratorEvent[];
  /** The replays applied when the batch was read: names the dead letters' command ids. */
  replays: number;
  from: { index: number; attempt: number };
  delivery: DeliverySettings;
}

/**
 * How a lane's activity ended. `done`: every event delivered or dead-lettered; `retry`: the event
 * at `index` failed its `attempt`-th try and may be tried again after `retryInMs` (the workflow
 * sleeps, then hands the lane back from there); `refused`: the outbound policy refuses the target
 * (TARGET_NOT_ALLOWED) or the owner lost access, and the webhook is to be suspended for `reason`.
 * `delivered`: whether any POST of this activity was answered 2xx.
 */
export type LaneOutcome =
  | { kind: 'done'; delivered: boolean }
  | { kind: 'retry'; delivered: boolean; index: number; attempt: number; retryInMs: number }
  | { kind: 'refused'; delivered: boolean; reason: SuspensionReason };
