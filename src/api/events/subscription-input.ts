import { z } from 'zod';
import type { Position } from '../../eventstore/port.ts';
import type { IntegratorFilter } from './integrator-events.ts';
import { positionInput, publicEventTypeInput, streamPrefixInput } from './integrator-input.ts';

const args = z.object({
  after: positionInput.nullish(),
  filter: z
    .object({
      streamPrefix: streamPrefixInput.nullish(),
      types: z.array(publicEventTypeInput).min(1, 'Name at least one event type').nullish(),
    })
    .nullish(),
});

export interface EventsSubscriptionInput {
  /** Exclusive; undefined means from the beginning. */
  after?: Position;
  filter: IntegratorFilter;
}

/** The `events` subscription's arguments, checked (a bad one is VALIDATION with the issues). */
export function parseEventsSubscription(raw: unknown): EventsSubscriptionInput {
  const { after, filter } = args.parse(raw);
  return {
    ...(after == null ? {} : { after }),
    filter: {
      ...(filter?.streamPrefix ? { streamPrefix: filter.streamPrefix } : {}),
      ...(filter?.types ? { types: filter.types } : {}),
    },
  };
}
