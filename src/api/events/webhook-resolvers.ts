import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { eventWebhookSigningSecret } from '../../channels/webhook-signature.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import type { WebhookDeps } from '../../services/webhooks/deps.ts';
import {
  createEventWebhook,
  deleteEventWebhook,
  pauseEventWebhook,
  replayEventWebhook,
  resumeEventWebhook,
} from '../../services/webhooks/webhooks.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import {
  type DeadLetterRow,
  type EventWebhookRow,
  findEventWebhook,
  lagOf,
  listDeadLetters,
  listEventWebhooks,
} from './webhook-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type WebhookUseCase = (deps: WebhookDeps, context: RequestContext, raw: unknown) => Promise<string>;

const idArgs = z.object({ id: z.uuid() });

/**
 * A webhook is its owner's alone: every read and change is scoped to the person behind the caller
 * (a user, or an API key's owner), and anyone else's id reads as unknown.
 */
export function eventWebhookResolvers(): IResolvers {
  const mutate =
    (useCase: WebhookUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const webhookId = await useCase(scope.webhooks, caller, args);
      const row = await findEventWebhook(scope.services.pool, ownerOf(caller.actor), webhookId);
      if (!row) throw notFound('WEBHOOK_NOT_FOUND', 'No such webhook');
      return toEventWebhook(scope, row);
    };

  return {
    Query: {
      myEventWebhooks: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'read');
        const { rows, page, total } = await listEventWebhooks(
          scope.services.pool,
          ownerOf(caller.actor),
          args.page,
        );
        return connection(
          rows,
          page,
          total,
          (row) => [row.sort_key, row.webhook_id],
          (row) => toEventWebhook(scope, row),
        );
      },
      eventWebhook: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'read');
        const row = await findEventWebhook(scope.services.pool, ownerOf(caller.actor), idArgs.parse(args).id);
        return row ? toEventWebhook(scope, row) : null;
      },
    },
    EventWebhook: {
      lag: (webhook: EventWebhookView, _args: Args, { scope }: GraphQLContext) =>
        lagOf(scope.webhooks.store, webhook.source),
      deadLetters: async (webhook: EventWebhookView, args: Args, { scope }: GraphQLContext) => {
        const { rows, page } = await listDeadLetters(scope.services.pool, webhook.id, args.page);
        return connection(rows, page, webhook.deadLetterCount, (dead) => [dead.position], toDeadLetter);
      },
    },
    Mutation: {
      createEventWebhook: mutate(createEventWebhook),
      pauseEventWebhook: mutate(pauseEventWebhook),
      resumeEventWebhook: mutate(resumeEventWebhook),
      replayEventWebhook: mutate(replayEventWebhook),
      deleteEventWebhook: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        return deleteEventWebhook(scope.webhooks, caller, args);
      },
    },
  };
}

/** The person whose webhooks the caller sees; callerFor has already refused anonymous callers. */
function ownerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  throw notFound('WEBHOOK_NOT_FOUND', 'No such webhook');
}

type EventWebhookView = ReturnType<typeof toEventWebhook>;

/** The row stays on the view (as `source`): lag and dead letters are read only when asked for. */
function toEventWebhook(scope: RequestScope, row: EventWebhookRow) {
  return {
    source: row,
    id: row.webhook_id,
    url: row.url,
    types: row.types,
    streamPrefix: row.stream_prefix,
    startAfter: row.start_after,
    status: row.status,
    suspendedFor: row.suspended_for,
    signingSecret: eventWebhookSigningSecret(scope.webhooks.authSecret, row.webhook_id),
    lastHandledPosition: row.cursor_position,
    lastDeliveredAt: row.delivered_at?.toISOString() ?? null,
    deadLetterCount: row.dead_letters,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toDeadLetter(row: DeadLetterRow) {
  return {
    position: row.position,
    eventId: row.event_id,
    eventType: row.event_type,
    streamName: row.stream_name,
    attempts: row.attempts,
    failure: row.failure,
    at: row.at.toISOString(),
  };
}
