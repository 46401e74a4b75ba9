import { z } from 'zod';
import { actorRef } from '../brands/brand-values.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  eventTypes,
  MAX_FAILURE_LENGTH,
  position,
  SUSPENSION_REASONS,
  streamPrefix,
  webhookUrl,
} from './webhook-values.ts';

const webhookId = z.uuid();

/**
 * An integrator's outbound webhook: which published events it receives and where they go, and
 * the deliveries that ran out of attempts. The signing secret is never here: it derives from the
 * server's secret and the webhook id (src/channels/webhook-signature.ts).
 */
export const eventWebhookEventSchemas = {
  EventWebhookCreated: z.object({
    webhookId,
    ownerId: z.uuid(),
    url: webhookUrl,
    types: eventTypes,
    streamPrefix: streamPrefix.nullable(),
    /** Deliveries start after this position (exclusive), as `after` does for the stream. */
    startAfter: position,
  }),
  EventWebhookPaused: z.object({ webhookId, by: actorRef }),
  EventWebhookResumed: z.object({ webhookId, by: actorRef }),
  /** Delivery goes back (or forward) to just after `after`; what was delivered since is sent again. */
  EventWebhookReplayRequested: z.object({ webhookId, after: position, by: actorRef }),
  EventWebhookSuspended: z.object({ webhookId, reason: z.enum(SUSPENSION_REASONS) }),
  /** Terminal. */
  EventWebhookDeleted: z.object({ webhookId, by: actorRef }),
  /** One event whose delivery ran out of attempts (or was refused by the receiver); later ones go on. */
  EventWebhookDeliveryDeadLettered: z.object({
    webhookId,
    position,
    eventId: z.uuid(),
    eventType: z.string().min(1),
    streamName: z.string().min(1),
    attempts: z.number().int().min(1),
    failure: z.string().max(MAX_FAILURE_LENGTH),
  }),
};

type Schemas = typeof eventWebhookEventSchemas;
export type EventWebhookEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type EventWebhookEventOf<Type extends EventWebhookEvent['type']> = Extract<
  EventWebhookEvent,
  { type: Type }
>;

/**
 * None of these is published to integrators (src/api/events/unpublished-events.ts says why), so
 * no `publicFields`: the URL is often a capability URL, and a webhook is its owner's business.
 */
export const eventWebhookEventCatalogue: EventCatalogue<EventWebhookEvent> = {
  EventWebhookCreated: {
    type: 'EventWebhookCreated',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookCreated,
  },
  EventWebhookPaused: {
    type: 'EventWebhookPaused',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookPaused,
  },
  EventWebhookResumed: {
    type: 'EventWebhookResumed',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookResumed,
  },
  EventWebhookReplayRequested: {
    type: 'EventWebhookReplayRequested',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookReplayRequested,
  },
  EventWebhookSuspended: {
    type: 'EventWebhookSuspended',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookSuspended,
  },
  EventWebhookDeleted: {
    type: 'EventWebhookDeleted',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookDeleted,
  },
  EventWebhookDeliveryDeadLettered: {
    type: 'EventWebhookDeliveryDeadLettered',
    schemaVersion: 1,
    schema: eventWebhookEventSchemas.EventWebhookDeliveryDeadLettered,
  },
};
