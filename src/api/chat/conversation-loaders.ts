import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { connection } from '../pagination.ts';
import { toSocialProfile } from '../social/graph-mappers.ts';
import { findProfiles } from '../social/graph-queries.ts';
import { type ChatConversationView, toChatMember } from './conversation-mappers.ts';
import { listMembersOf, memberCursor, unreadCounts } from './conversation-queries.ts';

type Queries<Params = unknown> = { obj: ChatConversationView; params?: Params }[];

const pageArgs = z.object({
  first: z.number().int().nullish(),
  after: z.string().nullish(),
});

/**
 * A page of conversations counts its unread messages in one statement, and only when the query
 * asks for `unreadCount`; its members are read in one statement per distinct page asked for (all
 * of them, as a list asks), with one profile lookup. Each view carries its reader, who is the same
 * person for a whole request.
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
      // The conversations were checked for this reader by the field that returned them.
      members: async (queries: Queries<Record<string, unknown>>, context: MercuriusContext) => {
        const { pool } = context.scope.services;
        const asked = queries.map(({ obj, params }) => {
          const args = pageArgs.parse(params ?? {});
          return { obj, args, key: JSON.stringify([args.first ?? null, args.after ?? null]) };
        });
        const idsByPage = new Map<string, Set<string>>();
        for (const { obj, key } of asked) idsByPage.set(key, (idsByPage.get(key) ?? new Set()).add(obj.id));
        // One read per distinct page asked for: a list asks for the same page of each conversation.
        const reads = new Map<string, ReturnType<typeof listMembersOf>>();
        const readOf = ({ key, args }: (typeof asked)[number]) => {
          const known = reads.get(key);
          if (known) return known;
          const read = listMembersOf(pool, [...(idsByPage.get(key) ?? [])], args);
          reads.set(key, read);
          return read;
        };
        const pages = await Promise.all(
          asked.map(async (query) => {
            const { rows, page } = await readOf(query);
            return { ...query, members: rows.get(query.obj.id) ?? [], page };
          }),
        );
        const shown = pages.flatMap(({ members, page }) =>
          members.slice(0, page.first).map((m) => m.user_id),
        );
        const profiles = await findProfiles(pool, [...new Set(shown)]);
        return pages.map(({ obj, members, page }) =>
          connection(members, page, undefined, memberCursor, (row) => {
            const profile = profiles.get(row.user_id);
            const user = profile ? toSocialProfile(profile) : null;
            return { ...toChatMember(row), user, viewerId: obj.viewerId };
          }),
        );
      },
    },
  };
}
