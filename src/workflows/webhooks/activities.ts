import { randomUUID } from 'node:crypto';
import { ApplicationFailure, activityInfo, Context } from '@temporalio/activity';
import type pg from 'pg';
import {
  type IntegratorEvent,
  storeFilterFor,
  toIntegratorEvent,
} from '../../api/events/integrator-events.ts';
import { postWebhook, WebhookError } from '../../channels/webhook-channel.ts';
import { eventWebhookSigningSecret } from '../../channels/webhook-signature.ts';
import type { EventCodec } from '../../commands/event-codec.ts';
import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { eventWebhookStream } from '../../domain/webhooks/streams.ts';
import type { EventWebhookCommand } from '../../domain/webhooks/webhook-commands.ts';
import { EVENT_WEBHOOKS_PROCESS, eventWebhookAggregate } from '../../domain/webhooks/webhook-decider.ts';
import type { SuspensionReason } from '../../domain/webhooks/webhook-values.ts';
import type { EventStore, RecordedEvent } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';
import { type OutboundPolicy, STRICT_OUTBOUND_POLICY } from '../../net/outbound-policy.ts';
import { execute, nowFrom } from '../../services/shared/command-context.ts';
import { asActivity, withHeartbeat } from '../publishing/activity-support.ts';
import { accessProblem } from './access.ts';
import { advanceCursor, cursorFor } from './cursors.ts';
import type { DeadLetteredEvent, NextBatch } from './types.ts';

export interface EventWebhookActivityDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  clock?: () => Date;
  pool: pg.Pool;
  /** The server secret each webhook's signing key derives from. */
  authSecret: Uint8Array;
  /** Which internal targets are allowed; none when unset. Checked again at every delivery. */
  outbound?: OutboundPolicy;
}

/** Names every id webhook delivery derives (delivery ids, dead letters' command ids). */
const WEBHOOKS_NAMESPACE = '5b0c3f4e-8a51-4f7e-9d2b-6c1e7a9f3d20';
const DELIVERY_ACTOR: Actor = { kind: 'system', process: EVENT_WEBHOOKS_PROCESS };
export const DELIVERY_ID_HEADER = 'x-chronicle-delivery';

/** The same for every attempt and every replay of one event to one webhook: the receiver's idempotency key. */
export const deliveryIdOf = (webhookId: string, eventId: string) =>
  uuidv5(`${webhookId}:${eventId}`, WEBHOOKS_NAMESPACE);

/** What a receiver gets: the event exactly as the integrator stream sends it, and which attempt this is. */
export interface WebhookDeliveryBody {
  webhookId: string;
  deliveryId: string;
  attempt: number;
  event: IntegratorEvent;
}

export function createEventWebhookActivities(deps: EventWebhookActivityDeps) {
  const log = deps.log.child({ component: 'event-webhooks' });
  const issue = (webhookId: string, commandId: string, command: EventWebhookCommand) =>
    execute(deps, eventWebhookAggregate, eventWebhookStream(webhookId), {
      commandId,
      correlationId: commandId,
      actor: DELIVERY_ACTOR,
      now: nowFrom(deps),
      command,
    });

  return {
    /**
     * The webhook as it stands, and when it is active the next matching events after its cursor
     * (the owner's access checked first). With none yet, waits up to `longPollMs` for one,
     * heartbeating, so an idle webhook costs one activity per long poll.
     */
    nextWebhookBatch(
      webhookId: string,
      options: { batchSize: number; longPollMs: number },
    ): Promise<NextBatch> {
      return asActivity(() =>
        withHeartbeat(async (signal) => {
          const { state } = await loadAggregate(deps, eventWebhookAggregate, eventWebhookStream(webhookId));
          if (state.status === 'none' || state.status === 'deleted') return { kind: 'deleted' };
          if (state.status !== 'active') return { kind: 'idle' };
          const problem = await accessProblem(deps.pool, state.ownerId, state.types);
          if (problem) {
            await suspend(webhookId, problem);
            return { kind: 'idle' };
          }
          const cursor = await cursorFor(deps.pool, webhookId, {
            startAfter: state.startAfter,
            replays: state.replayRevision,
            replayAfter: state.replayAfter,
          });
          const filter = {
            types: state.types,
            ...(state.streamPrefix ? { streamPrefix: state.streamPrefix } : {}),
          };
          const read = () =>
            deps.store.readAll({
              fromPosition: cursor.position + 1n,
              maxCount: options.batchSize,
              filter: storeFilterFor(filter),
            });
          let recorded = await read();
          if (recorded.length === 0 && (await arrives(cursor.position, filter, options.longPollMs, signal))) {
            recorded = await read();
          }
          const events: IntegratorEvent[] = [];
          for (const each of recorded) {
            const event = await toIntegratorEvent(deps.codec, each, filter);
            if (event) events.push(event);
          }
          const through = (recorded.at(-1)?.position ?? cursor.position).toString();
          return {
            kind: 'events',
            url: state.url,
            events,
            through,
            read: recorded.length,
            replays: cursor.replays,
          };
        }),
      );
    },

    /** One signed POST of one event; Temporal retries it per the delivery policy (same delivery id). */
    deliverWebhookEvent(
      webhookId: string,
      url: string,
      event: IntegratorEvent,
      timeoutMs: number,
    ): Promise<{ status: number }> {
      return asActivity(() =>
        withHeartbeat(async (signal) => {
          const { attempt } = activityInfo();
          const deliveryId = deliveryIdOf(webhookId, event.id);
          const body: WebhookDeliveryBody = { webhookId, deliveryId, attempt, event };
          try {
            const response = await postWebhook({
              url,
              body: JSON.stringify(body),
              secret: eventWebhookSigningSecret(deps.authSecret, webhookId),
              idempotencyKey: deliveryId,
              event: event.type,
              headers: { [DELIVERY_ID_HEADER]: deliveryId },
              at: nowFrom(deps),
              timeoutMs,
              signal,
              policy: deps.outbound ?? STRICT_OUTBOUND_POLICY,
            });
            log.debug(
              { webhookId, position: event.position, status: response.status },
              'webhook event delivered',
            );
            return { status: response.status };
          } catch (error) {
            if (error instanceof WebhookError && error.code === 'WEBHOOK_CANCELLED')
              throw interrupted(signal);
            throw error instanceof WebhookError ? deliveryFailure(error, attempt) : error;
          }
        }),
      );
    },

    /** Records an event whose delivery ran out of attempts; once per event and replay. */
    async deadLetterWebhookEvent(
      webhookId: string,
      replays: number,
      event: DeadLetteredEvent,
      outcome: { attempts: number; failure: string },
    ): Promise<void> {
      await asActivity(() =>
        issue(webhookId, uuidv5(`${webhookId}:dead-letter:${event.id}:${replays}`, WEBHOOKS_NAMESPACE), {
          type: 'DeadLetterDelivery',
          position: event.position,
          eventId: event.id,
          eventType: event.type,
          streamName: event.streamName,
          ...outcome,
        }),
      );
      log.warn({ webhookId, position: event.position, ...outcome }, 'webhook event dead-lettered');
    },

    /** Suspends the webhook (only an active one: the decider ignores the rest, so a repeat is harmless). */
    async suspendEventWebhook(webhookId: string, reason: SuspensionReason): Promise<void> {
      await asActivity(() => suspend(webhookId, reason));
    },

    async advanceWebhookCursor(
      webhookId: string,
      to: { through: string; replays: number; delivered: boolean },
    ): Promise<void> {
      await advanceCursor(deps.pool, webhookId, to);
    },
  };

  async function suspend(webhookId: string, reason: SuspensionReason) {
    log.warn({ webhookId, reason }, 'webhook suspended');
    return issue(webhookId, randomUUID(), { type: 'SuspendEventWebhook', reason });
  }

  /**
   * Whether a matching event is stored after `after` within `waitMs`: the store's live subscription
   * wakes on commit, so nothing polls. Ends early when the activity is cancelled.
   */
  async function arrives(
    after: bigint,
    filter: { types: readonly string[]; streamPrefix?: string },
    waitMs: number,
    cancelled: AbortSignal,
  ): Promise<boolean> {
    // withHeartbeat keeps telling Temporal the activity is alive meanwhile.
    const signal = AbortSignal.any([cancelled, AbortSignal.timeout(waitMs)]);
    try {
      const live: AsyncIterable<RecordedEvent> = deps.store.subscribeToAll({
        fromPosition: after,
        filter: storeFilterFor(filter),
        signal,
      });
      for await (const _event of live) return true;
      return false;
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    }
  }
}

/**
 * A POST cut off by cancellation. When the workflow asked (a pause, a replay), that is reported as
 * a cancellation; when the worker is stopping, the delivery is retried (on another worker, or this
 * one once it is back), never dead-lettered: nothing was wrong with the event or the receiver.
 */
function interrupted(signal: AbortSignal): unknown {
  if (Context.current().cancellationDetails?.cancelRequested) return signal.reason;
  return ApplicationFailure.retryable(
    `Delivery interrupted (${String(signal.reason)})`,
    'DELIVERY_INTERRUPTED',
  );
}

/**
 * A failed POST as Temporal should treat it: 4xx and refused targets are not retried, the rest are
 * (after the receiver's Retry-After, capped at 10 minutes); the attempt travels in the details so
 * the workflow records how many were made.
 */
function deliveryFailure(error: WebhookError, attempt: number): ApplicationFailure {
  const delay = error.retryAfterMs && Math.min(error.retryAfterMs, 600_000);
  return ApplicationFailure.create({
    message: error.message,
    type: error.code,
    nonRetryable: !error.retryable,
    details: [{ status: error.status ?? null, attempt }],
    ...(delay ? { nextRetryDelay: delay } : {}),
  });
}

export type EventWebhookActivities = ReturnType<typeof createEventWebhookActivities>;
