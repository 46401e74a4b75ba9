import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import type { ChatConversationView } from './conversation-mappers.ts';
import { unreadCounts } from './conversation-queries.ts';

type Queries = { obj: ChatConversationView }[];

/**
 * A page of conversations counts its unread messages in one statement, and only when the query
 * asks for `unreadCount`. Each view carries its reader, who is the same person for a whole request.
 */
export function chatConversationLoaders(): MercuriusLoaders {
  return {
    ChatConversation: {
      unreadCount: async (queries: Queries, context: MercuriusContext) => {
        const byReader = new Map<string, string[]>();
        for (const { obj } of queries)
          byReader.set(obj.viewerId, [...(byReader.get(obj.viewerId) ?? []), obj.id]);
        const counts = new Map<string, number>();
        for (const [viewerId, ids] of byReader) {
          const found = await unreadCounts(context.scope.services.pool, viewerId, [...new Set(ids)]);
          for (const [id, count] of found) counts.set(`${viewerId}:${id}`, count);
        }
        return queries.map(({ obj }) => counts.get(`${obj.viewerId}:${obj.id}`) ?? 0);
      },
    },
  };
}
