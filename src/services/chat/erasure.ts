import type pg from 'pg';
import { messageTextSubject } from '../../domain/chat/streams.ts';
import type { EventStore, Position } from '../../eventstore/port.ts';
import type { PersonalDataKeys } from '../../privacy/personal-data-keys.ts';
import { CHAT_PROJECTION } from '../../projections/read-models/chat.ts';
import { readState } from '../../projections/state.ts';

export interface ChatErasureDeps {
  store: EventStore;
  keys: PersonalDataKeys;
  /** The chat read model's sender index; without it the whole chat history is read instead. */
  pool?: pg.Pool;
}

/** Events read from the store per page, and keys destroyed at once. */
const PAGE_SIZE = 1000;
const PARALLEL_DESTROYS = 8;

/**
 * Part of forgetting a person: the words of every chat message they sent become unreadable, in
 * the history and in every copy of it, by destroying each message's text key (its own subject,
 * messageTextSubject, as deleting for everyone does). The chat projection empties the words in
 * its tables when it reads the UserForgotten; this makes a replay decode them as null too.
 *
 * Which messages: the chat read model's sender index as far as its checkpoint, then the history
 * from there (ChatMessageSent events, whose sender is never encrypted). So nothing waits for the
 * projector, and a lagging or stopped one misses nothing; without a pool or a live chat read
 * model (a rebuild swaps its tables) the whole chat history is read: slower, the same answer.
 * Idempotent (destroying a destroyed key changes nothing): an interrupted erasure is finished by
 * asking again. Answers how many messages' keys it destroyed or found destroyed.
 */
export async function destroyChatTextOf(deps: ChatErasureDeps, userId: string): Promise<number> {
  const sender = userId.toLowerCase();
  const ids = new Set<string>();
  let from: Position | 'start' = 'start';
  if (deps.pool) {
    // The checkpoint first: the rows read next hold at least every message up to it.
    const state = await readState(deps.pool, CHAT_PROJECTION);
    if (state?.status === 'live' && state.checkpoint >= 0n) {
      const { rows } = await deps.pool.query<{ message_id: string }>(
        'select message_id from chat_messages where sender_id = $1::uuid',
        [sender],
      );
      for (const row of rows) ids.add(row.message_id);
      // Inclusive: the checkpoint's own event is read again, which costs nothing.
      from = state.checkpoint;
    }
  }
  for (;;) {
    const page = await deps.store.readAll({
      fromPosition: from,
      direction: 'forwards',
      maxCount: PAGE_SIZE,
      filter: { streamNamePrefixes: ['chatmsg-'], eventTypePrefixes: ['ChatMessageSent'] },
    });
    const last = page.at(-1);
    if (!last) break;
    for (const event of page) {
      const sent = sentBy(event.type, event.data);
      if (sent?.senderId.toLowerCase() === sender) ids.add(sent.messageId);
    }
    from = last.position + 1n;
  }
  const all = [...ids];
  for (let i = 0; i < all.length; i += PARALLEL_DESTROYS) {
    await Promise.all(
      all.slice(i, i + PARALLEL_DESTROYS).map((id) => deps.keys.destroy(messageTextSubject(id))),
    );
  }
  return all.length;
}

/** A ChatMessageSent's ids from its stored data (ids are never encrypted). */
function sentBy(type: string, data: unknown): { messageId: string; senderId: string } | null {
  if (type !== 'ChatMessageSent' || typeof data !== 'object' || data === null) return null;
  const messageId = Reflect.get(data, 'messageId');
  const senderId = Reflect.get(data, 'senderId');
  return typeof messageId === 'string' && typeof senderId === 'string' ? { messageId, senderId } : null;
}
