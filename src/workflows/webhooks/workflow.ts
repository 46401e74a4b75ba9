import {
  CancellationScope,
  condition,
  continueAsNew,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntegratorEvent } from '../../api/events/integrator-events.ts';
import type { SuspensionReason } from '../../domain/webhooks/webhook-values.ts';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import { retryPolicy } from '../publishing/settings.ts';
import type { EventWebhookActivities } from './activities.ts';
import type { CursorMove } from './cursors.ts';
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

  // The last batch's cursor move, handed to the next read (which applies it first) rather than
  // run as an activity of its own; kept until a read completes, since a repeat is harmless.
  let handled: CursorMove | undefined;
  for (let batch = 0; batch < settings.batchesPerRun && !workflowInfo().continueAsNewSuggested; batch++) {
    const seen = changes;
    const pending = handled;
    const next = await interruptible(() =>
      acts.read.nextWebhookBatch(input.webhookId, {
        batchSize: settings.batchSize,
        batchBytes: settings.batchBytes,
        longPollMs: settings.longPollMs,
        ...(pending ? { handled: pending } : {}),
      }),
    );
    if (next === undefined) continue;
    handled = undefined;
    if (changes !== seen) continue;
    if (next.kind === 'deleted') return;
    if (next.kind === 'idle') {
      await condition(() => changes !== seen);
      continue;
    }
    // An idle long poll: nothing to deliver and no cursor to move, so no more history than the read.
    if (next.read === 0) continue;
    const outcome = await interruptible(() => deliverBatch(settings, input.webhookId, next));
    if (outcome === undefined) continue;
    if (outcome.suspendFor) {
      await acts.commands.suspendEventWebhook(input.webhookId, outcome.suspendFor);
      continue;
    }
    handled = { through: next.through, replays: next.replays, delivered: outcome.delivered };
  }
  if (handled) await acts.commands.advanceWebhookCursor(input.webhookId, handled);
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
  };
}

type Batch = Extract<NextBatch, { kind: 'events' }>;

/**
 * Each stream's events in position order, one `deliverStreamEvents` activity per stream (up to
 * `parallelStreams` at once) rather than one per event: the activity POSTs them one after another.
 * When an event fails and has attempts left, the activity returns where it stopped; the lane
 * sleeps out the backoff here (a durable timer, interrupted like the rest by a change) and goes
 * on from that event and attempt. The activity's own retry policy only covers an attempt that
 * could not finish (its worker stopped, the database was away): those never count against an
 * event. An event out of attempts (or refused) is dead-lettered by the activity and its stream
 * goes on. A target the outbound policy now refuses stops the batch: every event would fail
 * alike, so the webhook is suspended instead of dead-lettering them all. So does an owner who lost
 * access (the lanes check it before each POST): nothing more is sent to them.
 */
async function deliverBatch(
  settings: EventWebhookSettings,
  webhookId: string,
  batch: Batch,
): Promise<{ delivered: boolean; suspendFor: SuspensionReason | undefined }> {
  const lanes = [...groupByStream(batch.events).values()];
  let next = 0;
  let delivered = false;
  let suspendFor: SuspensionReason | undefined;
  const deliverLane = async (events: IntegratorEvent[]) => {
    let from = { index: 0, attempt: 1 };
    while (!suspendFor) {
      const outcome = await laneActivity(settings, events.length - from.index).deliverStreamEvents(
        webhookId,
        {
          url: batch.url,
          owner: batch.owner,
          events,
          replays: batch.replays,
          from,
          delivery: settings.delivery,
        },
      );
      delivered ||= outcome.delivered;
      if (outcome.kind === 'done') return;
      if (outcome.kind === 'refused') {
        // Histories from before refusals carried a reason only knew the outbound policy's.
        suspendFor = outcome.reason ?? 'TARGET_NOT_ALLOWED';
        return;
      }
      await sleep(outcome.retryInMs);
      from = { index: outcome.index, attempt: outcome.attempt + 1 };
    }
  };
  const worker = async () => {
    for (let mine = lanes[next++]; mine !== undefined && !suspendFor; mine = lanes[next++]) {
      await deliverLane(mine);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.parallelStreams, lanes.length) }, worker));
  return { delivered, suspendFor };
}

/**
 * The activity for a lane of `events` events: each may take one POST and one dead letter, so the
 * attempt's time bound grows with the lane; the heartbeat timeout finds a dead worker sooner.
 * Retried without limit: a retry resumes at the heartbeated event and costs the event no attempt.
 */
function laneActivity(settings: EventWebhookSettings, events: number) {
  return proxyActivities<EventWebhookActivities>({
    startToCloseTimeout: events * (settings.delivery.requestTimeoutMs + COMMAND_ATTEMPT_TIMEOUT_MS) + 5_000,
    heartbeatTimeout: settings.delivery.heartbeatTimeoutMs,
    retry: retryPolicy(settings.commands),
  });
}

function groupByStream(events: readonly IntegratorEvent[]): Map<string, IntegratorEvent[]> {
  const lanes = new Map<string, IntegratorEvent[]>();
  for (const event of events) {
    const lane = lanes.get(event.streamName);
    if (lane) lane.push(event);
    else lanes.set(event.streamName, [event]);
  }
  return lanes;
}
