import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { fairnessReport } from '../../services/mentorship/fairness-report.ts';
import {
  acceptOffer,
  cancelMatchRequest,
  declineOffer,
  endMentorship,
  requestMatch,
} from '../../services/mentorship/match-requests.ts';
import type { RequestContext, ServiceDeps } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { matchRequestCursor, requestViewOf, toMatchRequest } from './matching-mappers.ts';
import {
  findMatchRequest,
  listMyMatches,
  type MatchViewer,
  matchViewerOf,
  offersOf,
} from './matching-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type MatchUseCase = (deps: ServiceDeps, context: RequestContext, raw: unknown) => Promise<string>;

const requestIdArgs = z.object({ id: z.uuid() });

export function matchingResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    matchRequest: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const requestId = requestIdArgs.parse(args).id;
      const row = await findMatchRequest(scope.services.pool, requestId);
      // A request the caller may not see reads as none at all.
      if (!row || requestViewOf(row, matchViewerOf(caller.actor)) === 'none') return null;
      return visibleMatchRequest(scope, matchViewerOf(caller.actor), requestId);
    },
    myMatches: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const viewer = matchViewerOf(caller.actor);
      if (viewer.userId === null) throw forbidden('PEOPLE_ONLY', 'Only a person has matches');
      const { rows, page, total } = await listMyMatches(scope.services.pool, viewer.userId, args);
      const offers = await offersOf(
        scope.services.pool,
        rows.map((row) => row.request_id),
      );
      return connection(rows, page, total, matchRequestCursor, (row) =>
        toMatchRequest(row, offers.get(row.request_id) ?? [], viewer),
      );
    },
    matchingFairnessReport: async (_root, args, { scope }) => {
      const { actor } = await callerFor(scope, 'read');
      if (actor.kind !== 'user' || actor.role !== 'admin') {
        throw forbidden('ADMIN_ONLY', 'Only admins can do this');
      }
      return fairnessReport(scope.services.pool, args);
    },
  };

  /** Every mutation answers with the request as the caller sees it after the change. */
  const mutate =
    (useCase: MatchUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const requestId = await useCase(scope.mentorship, caller, args);
      return visibleMatchRequest(scope, matchViewerOf(caller.actor), requestId);
    };

  return {
    Query: query,
    Mutation: {
      requestMatch: mutate(requestMatch),
      acceptOffer: mutate(acceptOffer),
      declineOffer: mutate(declineOffer),
      cancelMatchRequest: mutate(cancelMatchRequest),
      endMentorship: mutate(endMentorship),
    },
  };
}

/** The request as the viewer may see it; NOT_FOUND when it does not exist or is not theirs to see. */
export async function visibleMatchRequest(scope: RequestScope, viewer: MatchViewer, requestId: string) {
  const row = await findMatchRequest(scope.services.pool, requestId);
  if (!row || requestViewOf(row, viewer) === 'none') {
    throw notFound('MATCH_REQUEST_NOT_FOUND', 'No such match request');
  }
  const offers = await offersOf(scope.services.pool, [requestId]);
  return toMatchRequest(row, offers.get(requestId) ?? [], viewer);
}
