import { type DocumentNode, GraphQLError, Kind } from 'graphql';

/**
 * Mercurius `preExecution` hook (it runs for HTTP requests only; WebSocket operations take the
 * subscription hooks): a subscription sent over HTTP would run its resolvers as a query and fail
 * as INTERNAL, so it is refused with a code that says where subscriptions live.
 */
export async function refuseSubscriptionsOverHttp(_schema: unknown, document: DocumentNode): Promise<void> {
  const subscribes = document.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription',
  );
  if (!subscribes) return;
  throw new GraphQLError(
    'Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP',
    { extensions: { code: 'SUBSCRIPTION_NEEDS_WEBSOCKET' } },
  );
}
