import { recordedAs } from '../brands/brand-access.ts';
import { validOr } from '../brands/validate.ts';
import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import type { EventWebhookCommand } from './webhook-commands.ts';
import { type EventWebhookEvent, eventWebhookEventCatalogue } from './webhook-events.ts';
import {
  type EventWebhook,
  type EventWebhookState,
  evolveEventWebhook,
  initialEventWebhookState,
} from './webhook-state.ts';
import { eventTypes, MAX_FAILURE_LENGTH, position, streamPrefix, webhookUrl } from './webhook-values.ts';

type CommandOf<Type extends EventWebhookCommand['type']> = Extract<EventWebhookCommand, { type: Type }>;

/** The process delivery runs as; its commands are the only ones a system actor may issue here. */
export const EVENT_WEBHOOKS_PROCESS = 'event-webhooks';

export const eventWebhookDecider: Decider<EventWebhookCommand, EventWebhookEvent, EventWebhookState> = {
  initialState: initialEventWebhookState,
  evolve: evolveEventWebhook,
  decide(command, state, context) {
    if (command.type === 'CreateEventWebhook') return createWebhook(command, state, context);
    if (state.status === 'none') throw notFound('WEBHOOK_NOT_FOUND', 'No such webhook');
    switch (command.type) {
      case 'PauseEventWebhook':
        return pause(state, context);
      case 'ResumeEventWebhook':
        return resume(state, context);
      case 'ReplayEventWebhook':
        return replay(command, state, context);
      case 'DeleteEventWebhook':
        return remove(state, context);
      case 'SuspendEventWebhook':
        return suspend(command, state, context);
      case 'DeadLetterDelivery':
        return deadLetter(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown webhook command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The webhook aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const eventWebhookAggregate = { decider: eventWebhookDecider, catalogue: eventWebhookEventCatalogue };

/** A webhook belongs to a person: the user who made it, or the owner of the API key that did. */
function createWebhook(
  command: CommandOf<'CreateEventWebhook'>,
  state: EventWebhookState,
  { actor }: DecisionContext,
): EventWebhookEvent[] {
  if (state.status !== 'none') throw conflict('WEBHOOK_EXISTS', 'This webhook already exists');
  if (actor.kind === 'system')
    throw forbidden('PEOPLE_ONLY', 'Only a person or their API key makes webhooks');
  return [
    {
      type: 'EventWebhookCreated',
      data: {
        webhookId: command.webhookId,
        ownerId: recordedAs(actor),
        url: validOr(webhookUrl, command.url, 'INVALID_URL', 'url'),
        types: [...validOr(eventTypes, command.types, 'INVALID_TYPES', 'types')],
        streamPrefix:
          command.streamPrefix === null
            ? null
            : validOr(streamPrefix, command.streamPrefix, 'INVALID_STREAM_PREFIX', 'streamPrefix'),
        startAfter: validOr(position, command.startAfter, 'INVALID_POSITION', 'after'),
      },
    },
  ];
}

/** Pausing a paused webhook decides nothing; a suspended or deleted one cannot be paused. */
function pause(webhook: EventWebhook, { actor }: DecisionContext): EventWebhookEvent[] {
  const by = requireOwner(webhook, actor);
  if (webhook.status === 'paused') return [];
  if (webhook.status === 'suspended') {
    throw conflict('WEBHOOK_SUSPENDED', 'This webhook is suspended; resume or delete it', {
      reason: webhook.suspendedFor,
    });
  }
  return [{ type: 'EventWebhookPaused', data: { webhookId: webhook.webhookId, by } }];
}

/**
 * Resuming a suspended webhook is allowed: delivery checks the owner's access again before it
 * sends anything, and suspends it again if nothing changed.
 */
function resume(webhook: EventWebhook, { actor }: DecisionContext): EventWebhookEvent[] {
  const by = requireOwner(webhook, actor);
  if (webhook.status === 'active') return [];
  return [{ type: 'EventWebhookResumed', data: { webhookId: webhook.webhookId, by } }];
}

function replay(
  command: CommandOf<'ReplayEventWebhook'>,
  webhook: EventWebhook,
  { actor }: DecisionContext,
): EventWebhookEvent[] {
  const by = requireOwner(webhook, actor);
  const after = validOr(position, command.after, 'INVALID_POSITION', 'after');
  return [{ type: 'EventWebhookReplayRequested', data: { webhookId: webhook.webhookId, after, by } }];
}

/** A deleted webhook no longer exists: deleting it again is NOT_FOUND, as for anyone else's. */
function remove(webhook: EventWebhook, { actor }: DecisionContext): EventWebhookEvent[] {
  const by = requireOwner(webhook, actor);
  return [{ type: 'EventWebhookDeleted', data: { webhookId: webhook.webhookId, by } }];
}

/** Only an active webhook is suspended: a paused one sends nothing, and its owner resumes it first. */
function suspend(
  command: CommandOf<'SuspendEventWebhook'>,
  webhook: EventWebhook,
  { actor }: DecisionContext,
): EventWebhookEvent[] {
  requireDelivery(actor);
  if (webhook.status !== 'active') return [];
  return [{ type: 'EventWebhookSuspended', data: { webhookId: webhook.webhookId, reason: command.reason } }];
}

/** Recorded even when the webhook was paused or deleted meanwhile: the attempts were made. */
function deadLetter(
  command: CommandOf<'DeadLetterDelivery'>,
  webhook: EventWebhook,
  { actor }: DecisionContext,
): EventWebhookEvent[] {
  requireDelivery(actor);
  const { position: at, eventId, eventType, streamName, attempts } = command;
  const failure =
    command.failure.length <= MAX_FAILURE_LENGTH
      ? command.failure
      : `${command.failure.slice(0, MAX_FAILURE_LENGTH - 1)}…`;
  return [
    {
      type: 'EventWebhookDeliveryDeadLettered',
      data: { webhookId: webhook.webhookId, position: at, eventId, eventType, streamName, attempts, failure },
    },
  ];
}

/**
 * `by` as recorded, when the actor owns the webhook. Anyone else is told it does not exist (not
 * FORBIDDEN), so webhook ids cannot be probed; a deleted webhook does not exist either.
 */
function requireOwner(webhook: EventWebhook, actor: Actor): string {
  const by = actor.kind === 'user' || actor.kind === 'integration' ? recordedAs(actor) : null;
  if (by === null || by !== webhook.ownerId || webhook.status === 'deleted') {
    throw notFound('WEBHOOK_NOT_FOUND', 'No such webhook');
  }
  return by;
}

function requireDelivery(actor: Actor): void {
  if (actor.kind !== 'system' || actor.process !== EVENT_WEBHOOKS_PROCESS) {
    throw forbidden('DELIVERY_ONLY', 'Only webhook delivery records suspensions and dead letters');
  }
}
