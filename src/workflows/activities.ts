import type { EventCodec } from '../commands/event-codec.ts';
import type { EventStore } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';

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
}

/**
 * Every activity the worker offers, as closures over their dependencies (Temporal's samples'
 * `createActivities(deps)`): a saga adds `...createPublishingActivities(deps)` here, and its
 * workflow imports the `Activities` type only (`proxyActivities<Activities>`), never this module.
 */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
