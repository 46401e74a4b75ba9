import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import { brandViewerOf, findBrand } from '../brands/read-model-queries.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { withCodes } from '../subscriptions/subscription-errors.ts';
import { toContent } from './mappers.ts';
import { type ContentRow, findContent } from './read-model-queries.ts';
import { workflowOf } from './resolvers.ts';

const brandArgs = z.object({ brandId: z.uuid() });
const contentArgs = z.object({ contentId: z.uuid() });

/** Status changes reported per read: a burst larger than this is reported over several reads. */
const STATUS_BATCH = 100;

/**
 * `contentStatusChanged(brandId)` and `workflowProgress(contentId)`, fed by the contents read
 * model. Membership is checked when the subscription starts.
 */
export function contentSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      contentStatusChanged: {
        subscribe: withCodes(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          contentStatusChanged(context, brandArgs.parse(args).brandId),
        ),
        resolve: (update: unknown) => update,
      },
      workflowProgress: {
        subscribe: withCodes(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          workflowProgress(context, contentArgs.parse(args).contentId),
        ),
        resolve: (progress: unknown) => progress,
      },
    },
  };
}

async function liveCaller(context: GraphQLContext) {
  const { live } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  return { live, viewer: brandViewerOf((await callerFor(context.scope, 'read')).actor) };
}

/**
 * Every status change of the brand's contents after the subscription started, in order: rows
 * remember the position of their last status change, so one indexed range read finds what is new.
 */
async function contentStatusChanged(context: GraphQLContext, brandId: string) {
  const { live, viewer } = await liveCaller(context);
  const { pool } = context.scope.services;
  if (!(await findBrand(pool, viewer, brandId))) throw notFound('BRAND_NOT_FOUND', 'No such brand');
  const { rows } = await pool.query<{ since: string }>(
    'select coalesce(max(status_position), 0)::text as since from contents where brand_id = $1',
    [brandId],
  );
  let since = rows[0]?.since ?? '0';
  return watchReadModel(context, live.signal, {
    concerns: (change) => change.projection === 'contents',
    async read() {
      const changed = await pool.query<ContentRow & { status_position: string }>(
        `select c.*, '' as sort_key from contents c where brand_id = $1 and status_position > $2
          order by status_position limit ${STATUS_BATCH}`,
        [brandId, since],
      );
      since = changed.rows.at(-1)?.status_position ?? since;
      return changed.rows.map((row) => {
        const content = toContent(row);
        return { contentId: content.id, brandId, status: content.status, version: content.version, content };
      });
    },
  });
}

/** The content's review and publication progress now, then each time it moves. */
async function workflowProgress(context: GraphQLContext, contentId: string) {
  const { live, viewer } = await liveCaller(context);
  const { scope } = context;
  let last = '';
  return watchReadModel(context, live.signal, {
    concerns: (change) =>
      change.projection === 'contents' &&
      (change.truncated || change.keys.some(({ key }) => key.content_id === contentId)),
    async read() {
      const row = await findContent(scope.services.pool, viewer, contentId);
      if (!row) throw notFound('CONTENT_NOT_FOUND', 'No such content');
      const progress = await workflowOf(scope, toContent(row));
      const serialized = JSON.stringify(progress);
      if (serialized === last) return [];
      last = serialized;
      return [progress];
    },
  });
}
