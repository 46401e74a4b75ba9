import type { Change } from '../../projections/change-bus.ts';
import type { GraphQLContext } from '../request-scope.ts';
import { Channel } from './channel.ts';
import { counted } from './counted.ts';
import { asGraphQLError } from './subscription-errors.ts';

export interface ReadModelWatch<T extends object> {
  /** Whether a projector change may concern this subscription (cheap: no I/O). */
  concerns(change: Change): boolean;
  /** What to push now: read the read model, return the values that are new to this client. */
  read(): Promise<T[]>;
}

/**
 * A subscription fed by the read models: reads once at the start, then again each time the
 * projector reports a change that concerns it. Changes that arrive while a read runs or while
 * the client has not taken the last value are folded into one more read, so a slow client gets
 * the latest state, never a growing backlog.
 */
export function watchReadModel<T extends object>(
  context: GraphQLContext,
  signal: AbortSignal,
  watch: ReadModelWatch<T>,
): Channel<T> {
  const channel = new Channel<T>(signal);
  let reading = false;
  let dirty = false;
  const refresh = async (): Promise<void> => {
    dirty = true;
    if (reading) return;
    reading = true;
    try {
      while (dirty && !channel.signal.aborted) {
        await channel.room(1);
        dirty = false;
        for (const value of await watch.read()) channel.push(value);
      }
    } catch (error) {
      context.app.log.error({ err: error }, 'a subscription could not read its read model');
      channel.fail(asGraphQLError(error, context.app.log));
    } finally {
      reading = false;
    }
  };
  const unsubscribe = context.scope.services.bus.subscribe((change) => {
    if (watch.concerns(change)) void refresh();
  });
  channel.signal.addEventListener('abort', unsubscribe, { once: true });
  void refresh();
  return counted(channel);
}
