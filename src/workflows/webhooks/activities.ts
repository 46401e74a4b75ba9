import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
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
import { accessProblem, CachedAccessCheck, WEBHOOK_ACCESS_RECHECK_MS, type WebhookOwner } from './access.ts';
import { advanceCursor, type CursorMove, cursorFor } from './cursors.ts';
import { deliveryRetryDelayMs } from './retry-delay.ts';
import type { DeadLetteredEvent, LaneOutcome, NextBatch, StreamLane } from './types.ts';

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
  /** How stale the owner's access may be before a POST (WEBHOOK_ACCESS_RECHECK_MS unless set). */
  accessRecheckMs?: number;
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
  const access = new CachedAccessCheck(deps.pool, deps.accessRecheckMs ?? WEBHOOK_ACCESS_RECHECK_MS);
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
     * (the owner's access checked first, and again after a long poll: the owner may have lost it
     * while it waited). With none yet, waits up to `longPollMs` for one, heartbeating, so an idle
     * webhook costs one activity per long poll.
     */
    nextWebhookBatch(
      webhookId: string,
      options: { batchSize: number; batchBytes: number; longPollMs: number; handled?: CursorMove },
    ): Promise<NextBatch> {
      return asActivity(() =>
        withHeartbeat(async (signal) => {
          // The previous batch's cursor move rides on this read: one activity less per batch.
          if (options.handled) await advanceCursor(deps.pool, webhookId, options.handled);
          const { state } = await loadAggregate(deps, eventWebhookAggregate, eventWebhookStream(webhookId));
          if (state.status === 'none' || state.status === 'deleted') return { kind: 'deleted' };
          if (state.status !== 'active') return { kind: 'idle' };
          const owner: WebhookOwner = { ownerId: state.ownerId, types: [...state.types] };
          const stillAllowed = async () => {
            const problem = await accessProblem(deps.pool, owner.ownerId, owner.types);
            if (problem) await suspend(webhookId, problem);
            return problem === null;
          };
          if (!(await stillAllowed())) return { kind: 'idle' };
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
            if (!(await stillAllowed())) return { kind: 'idle' };
            recorded = await read();
          }
          // Cut at `batchBytes` of envelopes (never before the first): the batch travels in workflow
          // history twice (this result and the lanes' inputs), so large events make smaller batches.
          const events: IntegratorEvent[] = [];
          let through = cursor.position;
          let bytes = 0;
          for (const each of recorded) {
            const event = await toIntegratorEvent(deps.codec, each, filter);
            if (event) {
              const size = Buffer.byteLength(JSON.stringify(event));
              if (events.length > 0 && bytes + size > options.batchBytes) break;
              bytes += size;
              events.push(event);
            }
            through = each.position;
          }
          return {
            kind: 'events',
            url: state.url,
            owner,
            events,
            through: through.toString(),
            read: recorded.length,
            replays: cursor.replays,
          };
        }),
      );
    },

    /**
     * One stream's events of a batch, POSTed one after another in order, from `lane.from`. An
     * event's retries are counted per event: a retryable failure before its last attempt ends the
     * activity with `retry` (the workflow waits out the backoff on a durable timer and hands the
     * lane back from that event and attempt), so the attempt count lives in workflow history and
     * never depends on a heartbeat reaching Temporal. An event out of attempts, or refused (4xx,
     * redirect), is dead-lettered here and the lane goes on. Progress (the next event's index) is
     * heartbeated, so when Temporal retries the activity itself (its worker stopped mid-POST, the
     * database was away) it resumes there rather than at the start; if the last heartbeat was lost
     * the retry sends a few events again, which at-least-once allows (same delivery ids). Before
     * each POST the owner's access is checked (read at most every WEBHOOK_ACCESS_RECHECK_MS): an
     * owner deactivated or demoted mid-lane ends it with `refused`, and the workflow suspends.
     */
    deliverStreamEvents(webhookId: string, lane: StreamLane): Promise<LaneOutcome> {
      return asActivity(async () => {
        const context = Context.current();
        const signal = context.cancellationSignal;
        const resumed = progressOf(context.info.heartbeatDetails);
        const progress = {
          index: Math.max(lane.from.index, resumed?.index ?? 0),
          delivered: resumed?.delivered ?? false,
        };
        const beat = () => context.heartbeat({ ...progress });
        beat();
        const heartbeatEveryMs = Math.max(100, Math.floor((context.info.heartbeatTimeoutMs ?? 3_000) / 3));
        const timer = setInterval(beat, heartbeatEveryMs);
        try {
          const owner = lane.owner ?? (await ownerOf(webhookId));
          for (; progress.index < lane.events.length; progress.index++, beat()) {
            const event = lane.events[progress.index] as IntegratorEvent;
            const attempt = progress.index === lane.from.index ? lane.from.attempt : 1;
            const problem = owner ? await access.problem(owner) : 'OWNER_INACTIVE';
            if (problem) {
              log.info(
                { webhookId, position: event.position, reason: problem },
                'webhook lane stopped: owner lost access',
              );
              return { kind: 'refused', delivered: progress.delivered, reason: problem };
            }
            const failure = await post(webhookId, lane.url, event, attempt, lane.delivery, signal);
            if (!failure) {
              progress.delivered = true;
              continue;
            }
            if (failure.code === 'WEBHOOK_TARGET_NOT_ALLOWED') {
              return { kind: 'refused', delivered: progress.delivered, reason: 'TARGET_NOT_ALLOWED' };
            }
            if (failure.retryable && attempt < lane.delivery.maximumAttempts) {
              log.debug(
                { webhookId, position: event.position, attempt, error: failure.message },
                'webhook event to be retried',
              );
              return {
                kind: 'retry',
                delivered: progress.delivered,
                index: progress.index,
                attempt,
                retryInMs: deliveryRetryDelayMs(lane.delivery, attempt, failure.retryAfterMs),
              };
            }
            await deadLetter(webhookId, lane.replays, event, { attempts: attempt, failure: failure.message });
          }
          return { kind: 'done', delivered: progress.delivered };
        } finally {
          clearInterval(timer);
        }
      });
    },

    /** Suspends the webhook (only an active one: the decider ignores the rest, so a repeat is harmless). */
    async suspendEventWebhook(webhookId: string, reason: SuspensionReason): Promise<void> {
      await asActivity(() => suspend(webhookId, reason));
    },

    async advanceWebhookCursor(webhookId: string, to: CursorMove): Promise<void> {
      await advanceCursor(deps.pool, webhookId, to);
    },
  };

  /** One signed POST of one event: undefined when the receiver took it, else why not. */
  async function post(
    webhookId: string,
    url: string,
    event: IntegratorEvent,
    attempt: number,
    delivery: { requestTimeoutMs: number },
    signal: AbortSignal,
  ): Promise<WebhookError | undefined> {
    const deliveryId = deliveryIdOf(webhookId, event.id);
    const body: WebhookDeliveryBody = { webhookId, deliveryId, attempt, event };
    // A signal of this POST's own, unhooked afterwards: a lane of 50 POSTs would otherwise leave
    // 50 listeners on the activity's signal.
    const own = new AbortController();
    const cancel = () => own.abort(signal.reason);
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    try {
      const response = await postWebhook({
        url,
        body: JSON.stringify(body),
        secret: eventWebhookSigningSecret(deps.authSecret, webhookId),
        idempotencyKey: deliveryId,
        event: event.type,
        headers: { [DELIVERY_ID_HEADER]: deliveryId },
        at: nowFrom(deps),
        timeoutMs: delivery.requestTimeoutMs,
        signal: own.signal,
        policy: deps.outbound ?? STRICT_OUTBOUND_POLICY,
      });
      log.debug({ webhookId, position: event.position, status: response.status }, 'webhook event delivered');
      return undefined;
    } catch (error) {
      if (error instanceof WebhookError && error.code === 'WEBHOOK_CANCELLED') throw interrupted(signal);
      if (error instanceof WebhookError) return error;
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** Records an event whose delivery ran out of attempts (or was refused); once per event and replay. */
  async function deadLetter(
    webhookId: string,
    replays: number,
    event: DeadLetteredEvent,
    outcome: { attempts: number; failure: string },
  ): Promise<void> {
    await issue(webhookId, uuidv5(`${webhookId}:dead-letter:${event.id}:${replays}`, WEBHOOKS_NAMESPACE), {
      type: 'DeadLetterDelivery',
      position: event.position,
      eventId: event.id,
      eventType: event.type,
      streamName: event.streamName,
      ...outcome,
    });
    log.warn({ webhookId, position: event.position, ...outcome }, 'webhook event dead-lettered');
  }

  /** The webhook's owner and types from its stream; undefined when it no longer exists. */
  async function ownerOf(webhookId: string): Promise<WebhookOwner | undefined> {
    const { state } = await loadAggregate(deps, eventWebhookAggregate, eventWebhookStream(webhookId));
    if (state.status === 'none' || state.status === 'deleted') return undefined;
    return { ownerId: state.ownerId, types: [...state.types] };
  }

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

/** The progress a previous attempt of `deliverStreamEvents` heartbeated, if any. */
function progressOf(details: unknown): { index: number; delivered: boolean } | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { index, delivered } = details as { index?: unknown; delivered?: unknown };
  return typeof index === 'number' ? { index, delivered: delivered === true } : undefined;
}

export type EventWebhookActivities = ReturnType<typeof createEventWebhookActivities>;
