import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import type { AiLabel } from '../../ai/provider.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import {
  generateAltText,
  generateContent,
  generateMetadata,
  suggestTitles,
  transcreateContent,
} from '../../services/content/generation.ts';
import { toFields } from '../content/mappers.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

/** GraphQL enum values cannot hold '-'. */
const labelToGraphQL = (label: AiLabel | null) => label?.replace('-', '_') ?? null;

export function aiResolvers(): IResolvers {
  const mutation: Record<string, Resolver> = {
    generateContent: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const generation = await generateContent(scope.publishing, caller, args);
      return {
        ...generation,
        title: generation.output.title,
        fields: toFields(generation.output.fields),
        label: labelToGraphQL(generation.label),
      };
    },
    generateMetadata: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const generation = await generateMetadata(scope.publishing, caller, args);
      return { ...generation, metadata: generation.output, label: labelToGraphQL(generation.label) };
    },
    generateAltText: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const generation = await generateAltText(scope.publishing, caller, args);
      return { ...generation, altText: generation.output.altText, label: labelToGraphQL(generation.label) };
    },
    suggestTitles: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const generation = await suggestTitles(scope.publishing, caller, args);
      return { ...generation, titles: generation.output.titles, label: labelToGraphQL(generation.label) };
    },
    transcreateContent: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const generation = await transcreateContent(scope.publishing, caller, args);
      return {
        ...generation,
        title: generation.output.title,
        fields: toFields(generation.output.fields),
        label: labelToGraphQL(generation.label),
      };
    },
  };
  return { Mutation: mutation };
}

interface ProgressRow {
  request_id: string;
  status: string;
  kind: string;
  provider: string;
  model: string;
  label: AiLabel | null;
  total_tokens: number | null;
  duration_ms: number | null;
  attempts: number | null;
  error_code: string | null;
  requested_by: string;
}

const progressArgs = z.object({ requestId: z.uuid() });

/**
 * `aiGenerationProgress(requestId)`: the request's row now (once it exists), then each change, for
 * the person (or key owner) who asked. A request not made yet is waited for: clients subscribe
 * first and then ask with the same request id.
 */
export function aiSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      aiGenerationProgress: {
        subscribe: guardedSubscribe(log, async (_root: unknown, args: unknown, context: GraphQLContext) => {
          const { live, scope } = context;
          if (!live)
            throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
          const { requestId } = progressArgs.parse(args);
          await callerFor(scope, 'read');
          let last = '';
          return watchReadModel(context, live, {
            concerns: (change) =>
              change.projection === 'ai_generations' &&
              (change.truncated || change.keys.some(({ key }) => key.request_id === requestId)),
            async read(actor) {
              const { rows } = await scope.services.pool.query<ProgressRow>(
                'select * from ai_generations where request_id = $1',
                [requestId],
              );
              const row = rows[0];
              if (!row) return [];
              if (row.requested_by !== askedBy(actor))
                throw notFound('REQUEST_NOT_FOUND', 'No such AI request of yours');
              if (row.status === last) return [];
              last = row.status;
              return [toProgress(row)];
            },
          });
        }),
        resolve: (progress: unknown) => progress,
      },
    },
  };
}

/** How `ai_generations.requested_by` names the caller. */
function askedBy(actor: Actor): string | null {
  if (actor.kind === 'user') return `user:${actor.userId}`;
  if (actor.kind === 'integration') return `integration:${actor.keyId}`;
  return null;
}

function toProgress(row: ProgressRow) {
  return {
    requestId: row.request_id,
    status: row.status,
    kind: row.kind,
    provider: row.provider,
    model: row.model,
    label: labelToGraphQL(row.label),
    totalTokens: row.total_tokens,
    durationMs: row.duration_ms,
    attempts: row.attempts,
    errorCode: row.error_code,
  };
}
