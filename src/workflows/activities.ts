import type { AiProvider } from '../ai/provider.ts';
import type { EventCodec } from '../commands/event-codec.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { createPublishingActivities } from './publishing/activities.ts';

/**
 * What activities may use: they act by issuing commands (through the command pipeline, with
 * command ids derived from the workflow id and step, so a retried activity appends nothing new)
 * and by calling adapters. Sagas add the adapters they need here.
 */
export interface ActivityDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  clock?: () => Date;
  /** Claims review and metadata generation (publishing). */
  ai: AiProvider;
  /** The server secret each webhook channel's signing key derives from (publishing). */
  authSecret: Uint8Array;
}

/**
 * Every activity the worker offers, as closures over their dependencies (Temporal's samples'
 * `createActivities(deps)`): a saga adds `...createPublishingActivities(deps)` here, and its
 * workflow imports the `Activities` type only (`proxyActivities<Activities>`), never this module.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPublishingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
