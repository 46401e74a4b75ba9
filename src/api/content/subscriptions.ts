import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { forbidden, notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import type { Change } from '../../projections/change-bus.ts';
import { brandViewerOf, findBrand } from '../brands/read-model-queries.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { toContent } from './mappers.ts';
import { type ContentRow, findContent, visibleTo } from './read-model-queries.ts';
import { workflowOf } from './resolvers.ts';

const brandArgs = z.object({ brandId: z.uuid() });
const contentArgs = z.object({ contentId: z.uuid() });

/** Status changes reported per read: a burst larger than this is reported over several reads. */
const STATUS_BATCH = 100;

/**
 * `contentStatusChanged(brandId)` and `workflowProgress(contentId)`, fed by the contents read
 * model. Membership is checked when the subscription starts and again on every read: a member
 * removed from the brand (or an admin who lost the role) gets FORBIDDEN/ACCESS_REVOKED, and the
 * subscription ends.
 */
export function contentSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      contentStatusChanged: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          contentStatusChanged(context, brandArgs.parse(args).brandId),
        ),
        resolve: (update: unknown) => update,
      },
      workflowProgress: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
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

/** A change to the brand's members (or the brand itself): who may watch it may have changed. */
const membershipOf = (change: Change, brandId: string | undefined) =>
  change.projection === 'brands' &&
  (change.truncated || brandId === undefined || change.keys.some(({ key }) => key.brand_id === brandId));

/**
 * Every status change of the brand's contents after the subscription started, each on its own and
 * in order: the contents projection keeps one row per change (`content_status_changes`), so a
 * content that changes twice between two reads is reported twice. Each update carries the status
 * and version of that change, and the content as it is when read. Each read checks membership
 * first, and the read itself only sees a brand the caller may see.
 */
async function contentStatusChanged(context: GraphQLContext, brandId: string) {
  const { live, viewer } = await liveCaller(context);
  const { pool } = context.scope.services;
  if (!(await findBrand(pool, viewer, brandId))) throw notFound('BRAND_NOT_FOUND', 'No such brand');
  const { rows } = await pool.query<{ since: string }>(
    'select coalesce(max(position), 0)::text as since from content_status_changes where brand_id = $1',
    [brandId],
  );
  let since = rows[0]?.since ?? '0';
  return watchReadModel(context, live, {
    // Only a status change of this brand wakes it: every subscriber of every brand would otherwise
    // run its two queries on each content write anywhere on the platform.
    concerns: (change) =>
      (change.projection === 'contents' &&
        (change.truncated ||
          change.keys.some(
            ({ table, key }) => table === 'content_status_changes' && key.brand_id === brandId,
          ))) ||
      membershipOf(change, brandId),
    async read(actor) {
      const now = brandViewerOf(actor);
      if (!(await findBrand(pool, now, brandId))) {
        throw forbidden('ACCESS_REVOKED', 'You no longer have access to this brand');
      }
      const changed = await pool.query<StatusChangeRow>(
        `select s.position::text as change_position, s.status as change_status, s.version as change_version,
            c.*, '' as sort_key
          from content_status_changes s join contents c on c.content_id = s.content_id
          where s.brand_id = $1 and s.position > $2 and ${visibleTo('$3', '$4')}
          order by s.position limit ${STATUS_BATCH}`,
        [brandId, since, now.userId, now.admin],
      );
      since = changed.rows.at(-1)?.change_position ?? since;
      return changed.rows.map((row) => ({
        contentId: row.content_id,
        brandId,
        status: row.change_status,
        version: row.change_version,
        content: toContent(row),
      }));
    },
  });
}

/** One status change, with the content it changed as it is now. */
type StatusChangeRow = ContentRow & {
  change_position: string;
  change_status: string;
  change_version: number;
};

/** The content's review and publication progress now, then each time it moves (or its brand's members change). */
async function workflowProgress(context: GraphQLContext, contentId: string) {
  const { live } = await liveCaller(context);
  const { scope } = context;
  let last = '';
  let brandId: string | undefined;
  return watchReadModel(context, live, {
    concerns: (change) =>
      (change.projection === 'contents' &&
        (change.truncated || change.keys.some(({ key }) => key.content_id === contentId))) ||
      membershipOf(change, brandId),
    async read(actor) {
      const row = await findContent(scope.services.pool, brandViewerOf(actor), contentId);
      if (!row) {
        if (brandId === undefined) throw notFound('CONTENT_NOT_FOUND', 'No such content');
        throw forbidden('ACCESS_REVOKED', 'You no longer have access to this content');
      }
      brandId = row.brand_id;
      const progress = await workflowOf(scope, toContent(row));
      const serialized = JSON.stringify(progress);
      if (serialized === last) return [];
      last = serialized;
      return [progress];
    },
  });
}
