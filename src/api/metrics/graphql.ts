import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, type GraphQLFormattedError, getOperationAST } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Operation names are chosen by clients, so as labels they could grow without bound. The first
 * names seen are kept (real clients use a fixed set); any name after these is counted as `other`.
 */
const MAX_OPERATION_NAMES = 200;

interface OperationLabels {
  operation: string;
  type: string;
}

/** A request refused before it ran (malformed, invalid against the schema, unknown persisted query). */
const NOT_EXECUTED: OperationLabels = { operation: 'unknown', type: 'unknown' };

export interface GraphQLMetrics {
  /** Fastify `onResponse` hook: observes every finished request to the GraphQL endpoint. */
  onResponse(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Mercurius `preExecution` hook: notes which operation the request runs. */
  preExecution(schema: unknown, document: DocumentNode, context: MercuriusContext): Promise<void>;
  /** Wraps the error formatter so every error that leaves is counted by its `extensions.code`. */
  countingErrors<Args extends unknown[], Formatted extends { response: { errors: GraphQLFormattedError[] } }>(
    format: (...args: Args) => Formatted,
  ): (...args: Args) => Formatted;
}

/**
 * `chronicle_graphql_request_duration_seconds{operation,type}` and
 * `chronicle_graphql_errors_total{code}` on the given registry.
 */
export function registerGraphQLMetrics(registry: Registry, graphqlPath: string): GraphQLMetrics {
  const duration = new Histogram({
    name: 'chronicle_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL HTTP request, by operation name and type',
    labelNames: ['operation', 'type'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'chronicle_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code',
    labelNames: ['code'],
    registers: [registry],
  });
  // Keyed by request, so nothing has to be added to Fastify's request type and nothing outlives it.
  const operations = new WeakMap<FastifyRequest, OperationLabels>();
  const names = new Set<string>();
  const boundedName = (name: string) => {
    if (names.size < MAX_OPERATION_NAMES) names.add(name);
    return names.has(name) ? name : 'other';
  };

  return {
    async onResponse(request, reply) {
      // A WebSocket upgrade is a subscription connection, not a request to time.
      if (request.routeOptions.url !== graphqlPath || request.headers.upgrade) return;
      duration.observe(operations.get(request) ?? NOT_EXECUTED, reply.elapsedTime / 1000);
    },
    async preExecution(_schema, document, context) {
      const { reply } = context;
      if (!reply) return;
      const operation = getOperationAST(document, operationNameOf(reply.request));
      operations.set(reply.request, {
        operation: boundedName(operation?.name?.value ?? 'anonymous'),
        type: operation?.operation ?? 'unknown',
      });
    },
    countingErrors(format) {
      return (...args) => {
        const formatted = format(...args);
        for (const error of formatted.response.errors) {
          const code = error.extensions?.code;
          errors.inc({ code: typeof code === 'string' ? code : 'NONE' });
        }
        return formatted;
      };
    },
  };
}

/** The `operationName` parameter of a POST body or a GET query string, when there is one. */
function operationNameOf(request: FastifyRequest): string | undefined {
  const parameters = request.method === 'GET' ? request.query : request.body;
  if (typeof parameters !== 'object' || parameters === null || !('operationName' in parameters)) {
    return undefined;
  }
  return typeof parameters.operationName === 'string' ? parameters.operationName : undefined;
}
