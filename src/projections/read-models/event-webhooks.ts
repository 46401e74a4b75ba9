import type { EventCodec } from '../../commands/event-codec.ts';
import { type EventWebhookEvent, eventWebhookEventCatalogue } from '../../domain/webhooks/webhook-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/** The read models the webhook use cases wait for (read-your-writes). */
export const EVENT_WEBHOOK_READ_MODELS = ['event_webhooks'];

/**
 * Integrators' webhooks as their owners list and read them, and each webhook's dead letters.
 * Deleted webhooks stay, with status `deleted` (the API shows them to nobody; an auditor reads
 * their history). How far delivery got is not here: it is
 * delivery's own state (`event_webhook_cursors`), which a rebuild must not reset.
 */
export function eventWebhooksProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'event_webhooks',
    version: 1,
    eventTypes: Object.keys(eventWebhookEventCatalogue),
    tables: {
      event_webhooks: {
        columns: `webhook_id uuid not null, owner_id uuid not null, url text not null, types jsonb not null,
          stream_prefix text, start_after bigint not null, status text not null, suspended_for text,
          dead_letters integer not null, created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['webhook_id'],
        indexes: ['(owner_id, created_at desc, webhook_id desc)'],
      },
      event_webhook_dead_letters: {
        columns: `webhook_id uuid not null, position bigint not null, event_id uuid not null,
          event_type text not null, stream_name text not null, attempts integer not null,
          failure text not null, at timestamptz not null`,
        primaryKey: ['webhook_id', 'position'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(eventWebhookEventCatalogue, recorded);
      if (decoded) await applyWebhookEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyWebhookEvent(event: EventWebhookEvent, writer: ReadModelWriter, at: string) {
  const key = { webhook_id: event.data.webhookId };
  switch (event.type) {
    case 'EventWebhookCreated': {
      const { webhookId, ownerId, url, types, streamPrefix, startAfter } = event.data;
      writer.upsert('event_webhooks', {
        webhook_id: webhookId,
        owner_id: ownerId,
        url,
        types,
        stream_prefix: streamPrefix,
        start_after: startAfter,
        status: 'active',
        suspended_for: null,
        dead_letters: 0,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    case 'EventWebhookPaused':
      return writer.update('event_webhooks', key, { status: 'paused', updated_at: at });
    case 'EventWebhookResumed':
      return writer.update('event_webhooks', key, { status: 'active', suspended_for: null, updated_at: at });
    case 'EventWebhookSuspended':
      return writer.update('event_webhooks', key, {
        status: 'suspended',
        suspended_for: event.data.reason,
        updated_at: at,
      });
    case 'EventWebhookDeleted':
      return writer.update('event_webhooks', key, { status: 'deleted', updated_at: at });
    case 'EventWebhookReplayRequested':
      return writer.update('event_webhooks', key, { updated_at: at });
    case 'EventWebhookDeliveryDeadLettered': {
      const { webhookId, position, eventId, eventType, streamName, attempts, failure } = event.data;
      const webhook = await writer.get('event_webhooks', key);
      // A replay can dead-letter the same position again: the row keeps the latest outcome.
      const known = await writer.get('event_webhook_dead_letters', { webhook_id: webhookId, position });
      writer.upsert('event_webhook_dead_letters', {
        webhook_id: webhookId,
        position,
        event_id: eventId,
        event_type: eventType,
        stream_name: streamName,
        attempts,
        failure,
        at,
      });
      if (webhook && !known) {
        await writer.update('event_webhooks', key, { dead_letters: Number(webhook.dead_letters) + 1 });
      }
      return;
    }
  }
}
