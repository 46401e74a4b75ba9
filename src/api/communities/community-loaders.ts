import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { z } from 'zod';
import { requireRole } from '../../domain/communities/community-permission.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { role as roleInput } from '../../services/communities/community-inputs.ts';
import { connection } from '../pagination.ts';
import { toSocialProfile } from '../social/graph-mappers.ts';
import { findProfiles } from '../social/graph-queries.ts';
import { type CommunityView, toCommunityMember } from './community-mappers.ts';
import { listMembersOf, memberCursor } from './community-queries.ts';

type Queries = { obj: CommunityView; params?: Record<string, unknown> }[];

const memberArgs = z.object({
  first: z.number().int().nullish(),
  after: z.string().nullish(),
  role: roleInput.nullish(),
});

/**
 * `Community.members` for a whole list of communities: one statement per distinct page asked for
 * (a list asks for the same page of each) and one profile lookup, instead of two per community.
 * Members only: each community was checked for its reader by the field that returned it, and a
 * community the reader is not a member of answers its own error, not the list's.
 */
export function communityLoaders(): MercuriusLoaders {
  return {
    Community: {
      members: async (queries: Queries, context: MercuriusContext) => {
        const { pool } = context.scope.services;
        const asked = queries.map(({ obj, params }) => {
          const args = memberArgs.parse(params ?? {});
          return {
            obj,
            args,
            key: JSON.stringify([args.first ?? null, args.after ?? null, args.role ?? null]),
          };
        });
        const refusals = asked.map(({ obj }) => refusalFor(obj));
        const idsByPage = new Map<string, Set<string>>();
        asked.forEach(({ obj, key }, index) => {
          if (!refusals[index]) idsByPage.set(key, (idsByPage.get(key) ?? new Set()).add(obj.id));
        });
        const reads = new Map<string, ReturnType<typeof listMembersOf>>();
        const readOf = ({ key, args }: (typeof asked)[number]) => {
          const known =
            reads.get(key) ?? listMembersOf(pool, [...(idsByPage.get(key) ?? [])], args.role ?? null, args);
          reads.set(key, known);
          return known;
        };
        const pages = await Promise.all(
          asked.map(async (query, index) => {
            if (refusals[index]) return { ...query, members: [], page: undefined };
            const { rows, page } = await readOf(query);
            return { ...query, members: rows.get(query.obj.id) ?? [], page };
          }),
        );
        const shown = pages.flatMap(({ members, page }) => (page ? members.slice(0, page.first) : []));
        const profiles = await findProfiles(pool, [...new Set(shown.map((m) => m.user_id))]);
        return pages.map(({ members, page }, index) => {
          const refusal = refusals[index];
          // Returned, not thrown: graphql answers this community's field with it, the others with data.
          if (refusal || !page) return refusal;
          return connection(members, page, undefined, memberCursor, (row) => {
            const profile = profiles.get(row.user_id);
            return { ...toCommunityMember(row), user: profile ? toSocialProfile(profile) : null };
          });
        });
      },
    },
  };
}

function refusalFor(community: CommunityView): Error | undefined {
  if (community.myStatus === 'BANNED') return forbidden('BANNED', 'You are banned from this community');
  try {
    requireRole(community.viewerRole, 'community.read');
    return undefined;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
}
