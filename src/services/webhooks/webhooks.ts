import { audienceOf, filterForAudience } from '../../api/events/event-audience.ts';
import { requireEventReader } from '../../api/events/stream-access.ts';
import { conflict, validation } from '../../domain/shared/domain-error.ts';
import { eventWebhookStream } from '../../domain/webhooks/streams.ts';
import type { EventWebhookCommand } from '../../domain/webhooks/webhook-commands.ts';
import { eventWebhookAggregate } from '../../domain/webhooks/webhook-decider.ts';
import { MAX_WEBHOOKS_PER_OWNER } from '../../domain/webhooks/webhook-values.ts';
import { STRICT_OUTBOUND_POLICY } from '../../net/outbound-policy.ts';
import { targetRefusal } from '../../net/target-check.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { WebhookDeps } from './deps.ts';
import { createEventWebhookInput, eventWebhookIdInput, replayEventWebhookInput } from './inputs.ts';

/**
 * Integrator webhook use cases. The integrator catalogue and its audiences live with the events
 * API (src/api/events/): a webhook receives exactly what its owner could read from the stream, so
 * it is checked by the same code.
 */
export async function createEventWebhook(deps: WebhookDeps, context: RequestContext, raw: unknown) {
  const parsed = createEventWebhookInput.parse(raw);
  const { input } = parsed;
  const { actor } = context;
  requireEventReader(actor);
  filterForAudience({ types: input.types }, await audienceOf(deps.pool, actor));
  const refusal = await targetRefusal(input.url, deps.outbound ?? STRICT_OUTBOUND_POLICY);
  if (refusal) {
    throw validation('TARGET_NOT_ALLOWED', `Webhooks cannot be delivered there: ${refusal.message}`, {
      problem: refusal.problem,
    });
  }
  const commandId = commandIdFor(context, 'createEventWebhook', parsed);
  // The webhook id derives from the command id, so a retried creation finds what it made.
  const webhookId = commandId;
  const ownerId = actor.kind === 'user' ? actor.userId : actor.kind === 'integration' ? actor.ownerId : null;
  if (ownerId !== null && (await liveWebhooksOf(deps, ownerId, webhookId)) >= MAX_WEBHOOKS_PER_OWNER) {
    throw conflict(
      'WEBHOOK_LIMIT',
      `At most ${MAX_WEBHOOKS_PER_OWNER} webhooks per person; delete one first`,
      {
        limit: MAX_WEBHOOKS_PER_OWNER,
      },
    );
  }
  await issue(deps, context, webhookId, commandId, {
    type: 'CreateEventWebhook',
    webhookId,
    url: input.url,
    types: input.types,
    streamPrefix: input.streamPrefix ?? null,
    startAfter: input.after ?? (await headPosition(deps)),
  });
  return webhookId;
}

export const pauseEventWebhook = simple('pauseEventWebhook', { type: 'PauseEventWebhook' });
export const resumeEventWebhook = simple('resumeEventWebhook', { type: 'ResumeEventWebhook' });
export const deleteEventWebhook = simple('deleteEventWebhook', { type: 'DeleteEventWebhook' });

export async function replayEventWebhook(deps: WebhookDeps, context: RequestContext, raw: unknown) {
  const parsed = replayEventWebhookInput.parse(raw);
  const commandId = commandIdFor(context, `replayEventWebhook:${parsed.id}`, parsed);
  await issue(deps, context, parsed.id, commandId, { type: 'ReplayEventWebhook', after: parsed.after });
  return parsed.id;
}

function simple(operation: string, command: EventWebhookCommand) {
  return async (deps: WebhookDeps, context: RequestContext, raw: unknown) => {
    const parsed = eventWebhookIdInput.parse(raw);
    const commandId = commandIdFor(context, `${operation}:${parsed.id}`, parsed);
    await issue(deps, context, parsed.id, commandId, command);
    return parsed.id;
  };
}

function issue(
  deps: WebhookDeps,
  context: RequestContext,
  webhookId: string,
  commandId: string,
  command: EventWebhookCommand,
) {
  return execute(
    deps,
    eventWebhookAggregate,
    eventWebhookStream(webhookId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/**
 * The owner's webhooks that are not deleted, from the read model (so two creations racing can both
 * pass: the limit bounds what one person can set up, it is not exact). A retried creation does not
 * count itself.
 */
async function liveWebhooksOf(deps: WebhookDeps, ownerId: string, webhookId: string): Promise<number> {
  const { rows } = await deps.pool.query<{ count: string }>(
    `select count(*) from event_webhooks where owner_id = $1 and status <> 'deleted' and webhook_id <> $2`,
    [ownerId, webhookId],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Where a webhook created without `after` starts: after the last event stored now. */
async function headPosition(deps: WebhookDeps): Promise<string> {
  const [last] = await deps.store.readAll({ fromPosition: 'end', direction: 'backwards', maxCount: 1 });
  return (last?.position ?? 0n).toString();
}
