import type { Actor, Decider } from '../shared/decider.ts';
import { forbidden, validation } from '../shared/domain-error.ts';
import type { InboxCommand } from './inbox-commands.ts';
import { type InboxEvent, inboxEventCatalogue, MAX_MARKED_READ } from './inbox-events.ts';

/** The inbox's own state: when everything was last marked read (so a repeat in that instant decides nothing). */
export interface InboxState {
  allReadUpTo: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One person's read marks. Only the person (or an API key acting for them) marks their inbox;
 * the notifications themselves are derived, so the decider checks the shape of the request and
 * the service checks that the ids are the person's.
 */
export const inboxDecider: Decider<InboxCommand, InboxEvent, InboxState> = {
  initialState: { allReadUpTo: null },
  evolve(state, event) {
    return event.type === 'AllNotificationsMarkedRead' ? { allReadUpTo: event.data.upTo } : state;
  },
  decide(command, state, { actor, now }) {
    const userId = command.userId.toLowerCase();
    if (personOf(actor) !== userId) throw forbidden('NOT_YOUR_INBOX', 'Only its owner marks an inbox read');
    if (command.type === 'MarkAllNotificationsRead') {
      const upTo = now.toISOString();
      if (state.allReadUpTo !== null && Date.parse(state.allReadUpTo) >= now.getTime()) return [];
      return [{ type: 'AllNotificationsMarkedRead', data: { userId, upTo } }];
    }
    const ids = notificationIdsToMark(command.notificationIds);
    if (ids.length === 0) return [];
    return [{ type: 'NotificationsMarkedRead', data: { userId, notificationIds: ids } }];
  },
};

export const inboxAggregate = { decider: inboxDecider, catalogue: inboxEventCatalogue };

/** The ids as marked: UUIDs, lower-cased, each once, at most MAX_MARKED_READ (else VALIDATION). */
export function notificationIdsToMark(notificationIds: readonly string[]): string[] {
  const ids = [...new Set(notificationIds.map((id) => id.toLowerCase()))];
  if (ids.some((id) => !UUID.test(id))) throw validation('INVALID_ID', 'Notification ids are UUIDs');
  if (ids.length > MAX_MARKED_READ) {
    throw validation('TOO_MANY_IDS', `At most ${MAX_MARKED_READ} notifications at a time`, {
      max: MAX_MARKED_READ,
    });
  }
  return ids;
}

/** The person behind the actor: a signed-in user, or the owner of the API key acting. */
export function personOf(actor: Actor): string | null {
  if (actor.kind === 'user') return actor.userId.toLowerCase();
  if (actor.kind === 'integration') return actor.ownerId.toLowerCase();
  return null;
}
