import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import type { PublishingActivities } from './activities.ts';
import { describeFailure } from './compensations.ts';
import { unpublishedDelivery } from './deliveries.ts';
import { resolveSettings, retryPolicy } from './settings.ts';
import type { SagaRef, UnpublishContentInput } from './types.ts';

export interface UnpublishResult {
  /** The channels the content was taken off. */
  channels: string[];
}

/**
 * Started by ContentUnpublished: takes the content off every channel it was on (a signed
 * `content.unpublished` delivery to each webhook; the feed stops listing it) and records each.
 * Every channel is tried even when one fails; if any did, the run fails naming them.
 */
export async function unpublishContent(input: UnpublishContentInput): Promise<UnpublishResult> {
  const settings = resolveSettings(input.settings);
  const commands = proxyActivities<PublishingActivities>({
    startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
    retry: retryPolicy(settings.commands),
  });
  const delivery = proxyActivities<PublishingActivities>({
    startToCloseTimeout: settings.delivery.requestTimeoutMs + 10_000,
    heartbeatTimeout: settings.delivery.heartbeatTimeoutMs,
    retry: retryPolicy(settings.delivery),
  });
  const plan = await commands.planUnpublish(input.contentId, input.eventId);
  if (!plan) return { channels: [] };
  const { workflowId } = workflowInfo();
  const ref: SagaRef = {
    sagaId: workflowId,
    contentId: input.contentId,
    publicationId: plan.publicationId,
    correlationId: input.correlationId ?? workflowId,
    causationId: input.eventId,
  };
  const done: string[] = [];
  const failures: string[] = [];
  for (const channel of plan.channels) {
    try {
      if (channel.kind === 'webhook') {
        const body = unpublishedDelivery(ref, plan.brandId);
        await delivery.deliverWebhook(ref, channel, body, settings.delivery.requestTimeoutMs);
      }
      await commands.recordChannelUnpublished(ref, channel.channelId);
      done.push(channel.channelId);
    } catch (error) {
      failures.push(`${channel.kind} channel ${channel.channelId}: ${describeFailure(error)}`);
    }
  }
  if (failures.length > 0) {
    throw ApplicationFailure.create({
      message: `The content is still on ${failures.length} channel(s): ${failures.join('; ')}`,
      type: 'UnpublishIncomplete',
      nonRetryable: true,
      details: [{ unpublished: done, failures }],
    });
  }
  return { channels: done };
}
