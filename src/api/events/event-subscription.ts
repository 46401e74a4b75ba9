import type { FastifyBaseLogger } from 'fastify';
import type { EventCodec } from '../../commands/event-codec.ts';
import { DomainError, rateLimited } from '../../domain/shared/domain-error.ts';
import type { EventStore, Position } from '../../eventstore/port.ts';
import { Channel } from '../subscriptions/channel.ts';
import { CLOSE_SLOW_CONSUMER, closeReason } from '../subscriptions/close-codes.ts';
import { counted } from '../subscriptions/counted.ts';
import type { LiveConnection } from '../subscriptions/live-connection.ts';
import { asGraphQLError } from '../subscriptions/subscription-errors.ts';
import type { AudienceGuard } from './event-audience.ts';
import { type IntegratorEvent, storeFilterFor, toIntegratorEvent } from './integrator-events.ts';
import { requireEventReader } from './stream-access.ts';
import type { EventsSubscriptionInput } from './subscription-input.ts';

export interface EventStreamLimits {
  /** Events read for one subscription and not yet taken by its client, at most. */
  maxUndeliveredEvents: number;
  /** A client that takes no event for this long while that many wait is cut off. */
  slowConsumerTimeoutMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  maxUndeliveredEvents: 1_000,
  slowConsumerTimeoutMs: 5_000,
};

export interface EventStreamDeps {
  store: EventStore;
  codec: Pick<EventCodec, 'decode'>;
  log: FastifyBaseLogger;
  /** Refuses an admin-only event once the caller is no longer an admin (ends the subscription). */
  guard: Pick<AudienceGuard, 'allow'>;
}

/**
 * One `events` subscription: the store's catch-up subscription mapped to integrator events.
 *
 * The store is the buffer: the reader runs at most `maxUndeliveredEvents` ahead of the client and
 * then waits, so a burst or a long history costs bounded memory. A client that takes nothing for
 * `slowConsumerTimeoutMs` while the reader waits (its socket is stuck) is cut off rather than
 * waited for: the subscription fails with RATE_LIMITED/SLOW_CONSUMER and the socket closes with
 * 4429, both naming the position to resume after.
 */
export function openEventStream(
  deps: EventStreamDeps,
  live: LiveConnection,
  input: EventsSubscriptionInput,
  limits: EventStreamLimits,
): Channel<IntegratorEvent> {
  const channel = new Channel<IntegratorEvent>(live.signal);
  void pump(deps, live, input, limits, channel);
  return counted(channel);
}

async function pump(
  deps: EventStreamDeps,
  live: LiveConnection,
  input: EventsSubscriptionInput,
  limits: EventStreamLimits,
  channel: Channel<IntegratorEvent>,
): Promise<void> {
  const { store, codec, log } = deps;
  const { after, filter } = input;
  try {
    const events = store.subscribeToAll({
      fromPosition: after ?? 'start',
      filter: storeFilterFor(filter),
      signal: channel.signal,
    });
    for await (const recorded of events) {
      const event = await toIntegratorEvent(codec, recorded, filter);
      if (!event) continue;
      // The caller as last re-checked: an admin who lost the role stops receiving at once.
      requireEventReader(live.authenticated.actor);
      await deps.guard.allow(event.type);
      if (!(await channel.room(limits.maxUndeliveredEvents, limits.slowConsumerTimeoutMs))) {
        cutOff(deps, live, channel, limits, after);
        return;
      }
      channel.push(event);
    }
  } catch (error) {
    if (channel.signal.aborted) return;
    if (!(error instanceof DomainError)) log.error({ err: error }, 'the events subscription failed');
    channel.fail(asGraphQLError(error, log));
  }
}

function cutOff(
  deps: EventStreamDeps,
  live: LiveConnection,
  channel: Channel<IntegratorEvent>,
  limits: EventStreamLimits,
  after: Position | undefined,
): void {
  const resumeAfter = channel.lastTaken?.position ?? after?.toString() ?? 'null';
  deps.log.warn({ resumeAfter, limits }, 'events subscriber too slow: cut off');
  const message = `The client took no event for ${limits.slowConsumerTimeoutMs} ms while ${limits.maxUndeliveredEvents} waited; resume with after: ${resumeAfter}`;
  channel.fail(asGraphQLError(rateLimited('SLOW_CONSUMER', message, { after: resumeAfter }), deps.log));
  // Its socket is stuck, so the error would wait behind the events; the close frame says it instead.
  live.close(
    CLOSE_SLOW_CONSUMER,
    closeReason('RATE_LIMITED', 'SLOW_CONSUMER', `resume with after=${resumeAfter}`),
  );
}
