import { GraphQLScalarType } from 'graphql';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { type AggregateAt, type AggregateAtDeps, aggregateAt } from '../../audit/aggregate-at.ts';
import {
  type AuditEvent,
  type AuditPage,
  type AuditReadDeps,
  actorActivityOf,
  actorInput,
  correlationIdInput,
  streamHistory,
  streamNameInput,
  traceOf,
} from '../../audit/audit-queries.ts';
import { type RecordedQuery, recordAuditQuery } from '../../audit/record-query.ts';
import { postgresSnapshotStore, snapshotMacKey } from '../../audit/snapshots.ts';
import { requireAuditor } from '../../domain/audit/audit-log-decider.ts';
import type { AuditQuery } from '../../domain/audit/audit-log-events.ts';
import { DomainError, forbidden, unauthenticated, validation } from '../../domain/shared/domain-error.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { encodeCursor, pageOf } from '../pagination.ts';
import type { GraphQLContext, RequestScope } from '../request-scope.ts';

type Args = Record<string, unknown>;

const AuditJSON = new GraphQLScalarType({
  name: 'AuditJSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
});

const instant = z.iso.datetime({ offset: true }).refine((text) => {
  // PostgreSQL has no year 0; ISO 8601 and timestamptz agree on years 1 to 9999.
  const year = new Date(text).getUTCFullYear();
  return year >= 1 && year <= 9999;
}, 'a time between the years 1 and 9999');
const decimal = z
  .string()
  .regex(/^\d{1,19}$/, 'a revision is a whole number')
  // Refinements run even when the pattern failed: only a whole number reaches BigInt.
  .refine((text) => !/^\d{1,19}$/.test(text) || BigInt(text) < 2n ** 63n, 'a revision is below 2^63');

const historyArgs = z.object({ stream: streamNameInput });
const aggregateAtArgs = z.object({
  category: z.string().min(1).max(40),
  id: z.uuid(),
  revision: decimal.nullish(),
  at: instant.nullish(),
});
const traceArgs = z.object({ correlationId: correlationIdInput });
const activityArgs = z.object({ actor: actorInput, from: instant.nullish(), to: instant.nullish() });

/** `history`, `aggregateAt`, `trace`, `actorActivity`: each answer recorded before it is returned. */
export function auditResolvers(): IResolvers {
  return {
    AuditJSON,
    Query: {
      history: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await auditorFor(scope);
        const { stream } = historyArgs.parse(args);
        const page = pageOf({ first: args.first, after: args.after }, 1);
        const after = page.after && bigintOf(page.after[0]);
        const recorded = { stream, after: stringArg(args.after), first: page.first };
        const result = await answered(scope, caller, 'history', recorded, () =>
          streamHistory(readDeps(scope), stream, after, page.first),
        );
        return connectionOf(result, after !== undefined, (event) => [event.revision.toString()]);
      },
      aggregateAt: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await auditorFor(scope);
        const input = aggregateAtArgs.parse(args);
        if ((input.revision == null) === (input.at == null)) {
          throw validation('EXACTLY_ONE_POINT', 'Give exactly one of revision and at');
        }
        const point =
          input.revision != null ? { revision: BigInt(input.revision) } : { at: new Date(input.at ?? '') };
        const recorded = {
          category: input.category,
          id: input.id,
          revision: input.revision ?? null,
          at: input.at ?? null,
        };
        const state = await answered(scope, caller, 'aggregateAt', recorded, () =>
          aggregateAt(aggregateDeps(scope), { category: input.category, id: input.id, point }),
        );
        return aggregateStateView(state);
      },
      trace: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await auditorFor(scope);
        const { correlationId } = traceArgs.parse(args);
        const page = pageOf({ first: args.first, after: args.after }, 1);
        const after = page.after && bigintOf(page.after[0]);
        const recorded = { correlationId, after: stringArg(args.after), first: page.first };
        const result = await answered(scope, caller, 'trace', recorded, () =>
          traceOf(readDeps(scope), correlationId, after, page.first),
        );
        return connectionOf(result, after !== undefined, (event) => [event.position.toString()]);
      },
      actorActivity: async (_root: unknown, args: Args, { scope }: GraphQLContext) => {
        const caller = await auditorFor(scope);
        const input = activityArgs.parse(args);
        const page = pageOf({ first: args.first, after: args.after }, 2);
        const after = page.after && {
          occurredAt: dateOf(page.after[0]),
          position: bigintOf(page.after[1]),
        };
        const recorded = {
          actor: input.actor,
          from: input.from ?? null,
          to: input.to ?? null,
          after: stringArg(args.after),
          first: page.first,
        };
        const range = {
          actor: input.actor,
          from: input.from ? new Date(input.from) : undefined,
          to: input.to ? new Date(input.to) : undefined,
          after,
        };
        const result = await answered(scope, caller, 'actorActivity', recorded, () =>
          actorActivityOf(readDeps(scope), range, page.first),
        );
        return connectionOf(result, after !== undefined, (event) => [
          event.occurredAt,
          event.position.toString(),
        ]);
      },
    },
  };
}

/**
 * The caller, if they may audit: an auditor or admin signed in, or an API key with `audit:read`
 * whose owner still is one (a key never outlives its owner's role).
 */
async function auditorFor(scope: RequestScope): Promise<RequestContext> {
  const auth = await scope.authenticated();
  const { actor } = auth;
  if (actor.kind === 'anonymous') throw unauthenticated('SIGN_IN_REQUIRED', 'Sign in or use an API key');
  requireAuditor(actor);
  if (actor.kind === 'integration') {
    const { rows } = await scope.services.pool.query<{ role: string }>(
      `select role from users where user_id = $1 and status = 'active'`,
      [actor.ownerId],
    );
    const role = rows[0]?.role;
    if (role !== 'auditor' && role !== 'admin') {
      throw forbidden('KEY_OWNER_NOT_AUDITOR', "This API key's owner is no longer an auditor");
    }
  }
  return {
    actor,
    ...(auth.sessionId ? { sessionId: auth.sessionId } : {}),
    correlationId: scope.correlationId,
  };
}

/**
 * Runs the query, then records it (with what it found) before anything is returned: if recording
 * fails, the auditor gets the error, not the answer. A lookup that found nothing is recorded too
 * (with 0 results), since asking is itself what the audit log is about.
 */
async function answered<Result extends AuditPage | AggregateAt>(
  scope: RequestScope,
  caller: RequestContext,
  query: AuditQuery,
  args: RecordedQuery['arguments'],
  run: () => Promise<Result>,
): Promise<Result> {
  const record = (resultCount: number) =>
    recordAuditQuery(scope.services.identity, caller, { query, arguments: args, resultCount });
  let result: Result;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') await record(0);
    throw error;
  }
  await record('events' in result ? result.events.length : 1);
  return result;
}

function readDeps(scope: RequestScope): AuditReadDeps {
  const { store, codec } = scope.services.identity;
  return { store, codec, pool: scope.services.pool };
}

function aggregateDeps(scope: RequestScope): AggregateAtDeps {
  const { store, codec, keys, log, authSecret } = scope.services.identity;
  const snapshots = postgresSnapshotStore(scope.services.pool, snapshotMacKey(authSecret));
  return { store, codec, keys, log, snapshots };
}

function connectionOf(
  result: AuditPage,
  hasPreviousPage: boolean,
  cursorOf: (event: AuditEvent) => string[],
) {
  const edges = result.events.map((event) => ({
    cursor: encodeCursor(cursorOf(event)),
    node: auditEventView(event),
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: result.hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: result.totalCount,
  };
}

function auditEventView(event: AuditEvent) {
  return { ...event, position: event.position.toString(), revision: event.revision.toString() };
}

function aggregateStateView(state: AggregateAt) {
  return {
    category: state.category,
    id: state.id,
    stream: state.stream,
    revision: state.revision?.toString() ?? null,
    position: state.position?.toString() ?? null,
    occurredAt: state.occurredAt,
    hash: state.hash,
    state: state.state,
    snapshotRevision: state.snapshotRevision?.toString() ?? null,
  };
}

const invalidCursor = () => validation('INVALID_CURSOR', 'after is not a cursor this API handed out');

function bigintOf(value: string | undefined): bigint {
  if (value === undefined || !/^\d{1,19}$/.test(value)) throw invalidCursor();
  return BigInt(value);
}

function dateOf(value: string | undefined): Date {
  const parsed = instant.safeParse(value);
  if (!parsed.success) throw invalidCursor();
  return new Date(parsed.data);
}

/** A cursor as recorded in the audit log: it already passed pageOf's bounds (at most 200 characters). */
const stringArg = (value: unknown): string | null => (typeof value === 'string' ? value : null);
