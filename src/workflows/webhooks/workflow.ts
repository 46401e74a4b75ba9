import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntegratorEvent } from '../../api/events/integrator-events.ts';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import { retryPolicy } from '../publishing/settings.ts';
import type { EventWebhookActivities } from './activities.ts';
import { WEBHOOK_CHANGED_SIGNAL } from './ids.ts';
import { type EventWebhookSettings, resolveEventWebhookSettings } from './settings.ts';
import type { DeliverEventWebhookInput, NextBatch } from './types.ts';

export const webhookChanged = defineSignal<[{ eventId: string }]>(WEBHOOK_CHANGED_SIGNAL);

/**
 * Delivers one integrator webhook's events for as long as it exists: read a batch after the
 * cursor (long-polling when there is none), deliver it (each stream's events in order, streams in
 * parallel up to a bound), move the cursor, again. Paused and suspended webhooks wait for a
 * signal; a deleted one ends the workflow. Any change (the reactions signal it) interrupts what is
 * in flight, which is read and sent again afterwards: delivery is at least once, and receivers drop
 * repeats by the delivery id.
 */
export async function deliverEventWebhook(input: DeliverEventWebhookInput): Promise<void> {
  const settings = resolveEventWebhookSettings(input.settings);
  const acts = activitiesFor(settings);
  let changes = 0;
  let inFlight: CancellationScope | undefined;
  setHandler(webhookChanged, () => {
    changes++;
    inFlight?.cancel();
  });
  /** Runs work that a change interrupts; undefined when it was interrupted. */
  const interruptible = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    const scope = new CancellationScope();
    inFlight = scope;
    try {
      return await scope.run(work);
    } catch (error) {
      if (isCancellation(error)) return undefined;
      throw error;
    } finally {
      inFlight = undefined;
    }
  };

  for (let batch = 0; batch < settings.batchesPerRun && !workflowInfo().continueAsNewSuggested; batch++) {
    const seen = changes;
    const next = await interruptible(() =>
      acts.read.nextWebhookBatch(input.webhookId, {
        batchSize: settings.batchSize,
        longPollMs: settings.longPollMs,
      }),
    );
    if (next === undefined || changes !== seen) continue;
    if (next.kind === 'deleted') return;
    if (next.kind === 'idle') {
      await condition(() => changes !== seen);
      continue;
    }
    // An idle long poll: nothing to deliver and no cursor to move, so no more history than the read.
    if (next.read === 0) continue;
    const outcome = await interruptible(() => deliverBatch(acts, settings, input.webhookId, next));
    if (outcome === undefined) continue;
    if (outcome.refused) {
      await acts.commands.suspendEventWebhook(input.webhookId, 'TARGET_NOT_ALLOWED');
      continue;
    }
    await acts.commands.advanceWebhookCursor(input.webhookId, {
      through: next.through,
      replays: next.replays,
      delivered: outcome.delivered,
    });
  }
  await continueAsNew<typeof deliverEventWebhook>(input);
}

function activitiesFor(settings: EventWebhookSettings) {
  const commands = {
    startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
    retry: retryPolicy(settings.commands),
  };
  return {
    read: proxyActivities<EventWebhookActivities>({
      ...commands,
      startToCloseTimeout: settings.longPollMs + COMMAND_ATTEMPT_TIMEOUT_MS,
      heartbeatTimeout: 5_000,
    }),
    commands: proxyActivities<EventWebhookActivities>(commands),
    delivery: proxyActivities<EventWebhookActivities>({
      startToCloseTimeout: settings.delivery.requestTimeoutMs + 5_000,
      heartbeatTimeout: settings.delivery.heartbeatTimeoutMs,
      retry: retryPolicy(settings.delivery),
    }),
  };
}

type Batch = Extract<NextBatch, { kind: 'events' }>;

/**
 * Each stream's events one after another, in position order; up to `parallelStreams` streams at
 * once. An event that runs out of attempts (or that the receiver refuses) is dead-lettered and its
 * stream goes on. A target the outbound policy now refuses stops the batch: every event would fail
 * alike, so the webhook is suspended instead of dead-lettering them all.
 */
async function deliverBatch(
  acts: ReturnType<typeof activitiesFor>,
  settings: EventWebhookSettings,
  webhookId: string,
  batch: Batch,
): Promise<{ delivered: boolean; refused: boolean }> {
  const lanes = [...groupByStream(batch.events).values()];
  let next = 0;
  let delivered = false;
  let refused = false;
  const deliverOne = async (event: IntegratorEvent) => {
    try {
      await acts.delivery.deliverWebhookEvent(
        webhookId,
        batch.url,
        event,
        settings.delivery.requestTimeoutMs,
      );
      delivered = true;
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = deliveryFailureOf(error);
      if (failure.type === 'WEBHOOK_TARGET_NOT_ALLOWED') {
        refused = true;
        return;
      }
      await acts.commands.deadLetterWebhookEvent(
        webhookId,
        batch.replays,
        { position: event.position, id: event.id, type: event.type, streamName: event.streamName },
        { attempts: failure.attempt ?? settings.delivery.maximumAttempts, failure: failure.message },
      );
    }
  };
  const lane = async () => {
    for (let mine = lanes[next++]; mine !== undefined && !refused; mine = lanes[next++]) {
      for (const event of mine) {
        if (refused) return;
        await deliverOne(event);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.parallelStreams, lanes.length) }, lane));
  return { delivered, refused };
}

function groupByStream(events: readonly IntegratorEvent[]): Map<string, IntegratorEvent[]> {
  const lanes = new Map<string, IntegratorEvent[]>();
  for (const event of events) lanes.set(event.streamName, [...(lanes.get(event.streamName) ?? []), event]);
  return lanes;
}

/** The failure's type, message and the attempt it happened at (from the activity's details). */
function deliveryFailureOf(error: unknown): { type: string | undefined; message: string; attempt?: number } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure)) {
    return { type: undefined, message: cause instanceof Error ? cause.message : String(cause) };
  }
  const [details] = cause.details ?? [];
  const attempt =
    typeof details === 'object' &&
    details !== null &&
    'attempt' in details &&
    typeof details.attempt === 'number'
      ? details.attempt
      : undefined;
  return {
    type: cause.type ?? undefined,
    message: cause.message,
    ...(attempt === undefined ? {} : { attempt }),
  };
}
