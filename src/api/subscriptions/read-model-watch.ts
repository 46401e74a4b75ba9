import type { Actor } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { Change } from '../../projections/change-bus.ts';
import type { GraphQLContext } from '../request-scope.ts';
import { Channel } from './channel.ts';
import { counted } from './counted.ts';
import type { LiveConnection } from './live-connection.ts';
import { asGraphQLError } from './subscription-errors.ts';

export interface ReadModelWatch<T extends object> {
  /**
   * Whether a projector change may concern this subscription (cheap: no I/O): a change to what it
   * shows, or to who may see it (a brand's members, say).
   */
  concerns(change: Change): boolean;
  /**
   * What to push now, read for the caller as they are now: `actor` follows every re-check of the
   * connection (a role taken away, a key's owner changed). Throw a DomainError when they may no
   * longer see it: the subscription ends with that error, and nothing more is sent.
   */
  read(actor: Actor): Promise<T[]>;
  /**
   * Other sources of change, for what a projector change cannot name cheaply (a comment's row says
   * which comment, not which video): given a way to ask for a read, returns the way to stop.
   */
  wake?(refresh: () => void): () => void;
}

/**
 * A subscription fed by the read models: reads once at the start, then again each time the
 * projector reports a change that concerns it or the connection's caller changes. Every read
 * checks access again, so a subscription never outlives the caller's right to see it. Changes
 * that arrive while a read runs or while the client has not taken the last value are folded into
 * one more read, so a slow client gets the latest state, never a growing backlog.
 */
export function watchReadModel<T extends object>(
  context: GraphQLContext,
  live: LiveConnection,
  watch: ReadModelWatch<T>,
): Channel<T> {
  const channel = new Channel<T>(live.signal);
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
        for (const value of await watch.read(live.authenticated.actor)) channel.push(value);
      }
    } catch (error) {
      if (channel.signal.aborted) return;
      // Access that ended is an answer, not a fault.
      if (!(error instanceof DomainError)) {
        context.app.log.error({ err: error }, 'a subscription could not read its read model');
      }
      channel.fail(asGraphQLError(error, context.app.log));
    } finally {
      reading = false;
    }
  };
  const unsubscribe = context.scope.services.bus.subscribe((change) => {
    if (watch.concerns(change)) void refresh();
  });
  const unwatchCaller = live.onUpdate(() => void refresh());
  const unwake = watch.wake?.(() => void refresh());
  channel.signal.addEventListener(
    'abort',
    () => {
      unsubscribe();
      unwatchCaller();
      unwake?.();
    },
    { once: true },
  );
  void refresh();
  return counted(channel);
}
