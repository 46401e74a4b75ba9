import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { mediaViewerOf } from './read-model-queries.ts';
import { visibleMedia } from './resolvers.ts';

const assetArgs = z.object({ assetId: z.uuid() });

/** `mediaProcessing(assetId)`, fed by the media read model; visibility is checked on every read. */
export function mediaSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      mediaProcessing: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          mediaProcessing(context, assetArgs.parse(args).assetId),
        ),
        resolve: (update: unknown) => update,
      },
    },
  };
}

/**
 * The asset's status and progress now, then each time they change. Only status, progress and
 * failure count as changes: signed URLs differ from read to read and would otherwise repeat it.
 */
async function mediaProcessing(context: GraphQLContext, assetId: string) {
  const { live } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const { scope } = context;
  const viewer = mediaViewerOf((await callerFor(scope, 'read')).actor);
  // Refused at once (NOT_FOUND) rather than as the first message, when there is nothing to watch.
  let first: Awaited<ReturnType<typeof visibleMedia>> | undefined = await visibleMedia(
    scope.media,
    scope.services.pool,
    viewer,
    assetId,
  );
  let last = '';
  return watchReadModel(context, live, {
    concerns: (change) =>
      change.projection === 'media' &&
      (change.truncated || change.keys.some(({ key }) => key.asset_id === assetId)),
    async read(actor) {
      const media =
        first ?? (await visibleMedia(scope.media, scope.services.pool, mediaViewerOf(actor), assetId));
      first = undefined;
      const update = {
        assetId,
        status: media.status,
        progress: media.progress,
        failure: media.failure,
        media,
      };
      const seen = JSON.stringify([
        media.status,
        media.progress,
        media.failure,
        media.probe,
        media.moderation,
      ]);
      if (seen === last) return [];
      last = seen;
      return [update];
    },
  });
}
