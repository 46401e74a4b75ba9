import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { type ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination.ts';

/**
 * Fields whose work is not proportional to what they return: a ranked full-text search, folding a
 * stream's history, comparing two versions, a report over a period. Each costs this much on top of
 * what it selects, so that the budget (2,000) holds at most 20 searches rather than 999 aliased
 * copies of one. The figures are a judgement of each field's SQL, not a measurement.
 */
export const FIELD_COSTS: Readonly<Record<string, number>> = {
  'Query.searchContent': 100,
  'Query.searchVideos': 100,
  'Query.searchChatMessages': 100,
  'Query.aggregateAt': 100,
  'Query.matchingFairnessReport': 100,
  'Query.compareVersions': 20,
  'Query.history': 10,
  'Query.trace': 10,
  'Query.actorActivity': 10,
  // A count over up to 1,001 positions of the log per webhook listed, not a column of its row.
  'EventWebhook.lag': 10,
  // A read of the learner's attempts stream (decrypting it) for each attempt at worst: a page's
  // attempts are read together (progress-loaders.ts), but a page of different learners' attempts
  // at different checkpoints is still one stream each.
  'CheckpointAttempt.answers': 5,
};

/**
 * Fields whose work grows with what they are given rather than what they return, priced from
 * their arguments. A sync pays for the feed or snapshot page it reads (a few statements, like a
 * search) and for each change it pushes (a stream read, a command and a receipt each): the
 * GraphQL form's 100 changes cost 1,100, within the budget with room for what it selects.
 */
export const ARGUMENT_COSTS: Readonly<Record<string, (args: Record<string, unknown>) => number>> = {
  'Mutation.sync': (args) => SYNC_BASE_COST + SYNC_COST_PER_CHANGE * pushedChanges(args),
};
export const SYNC_BASE_COST = 100;
export const SYNC_COST_PER_CHANGE = 10;

function pushedChanges(args: Record<string, unknown>): number {
  const input = args.input;
  if (typeof input !== 'object' || input === null || !('changes' in input)) return 0;
  return Array.isArray(input.changes) ? input.changes.length : 0;
}

/**
 * Lists of objects that are small and bounded, and read for a whole page of their parents at once
 * (one query per page, nothing per item): their selection counts this many times rather than a
 * default page. A chat message has at most 10 attachments (MAX_ATTACHMENTS) and, in practice, a
 * few distinct reactions; charged as one item each, a chat screen (50 messages with every field,
 * their attachments, reactions and the replied message) costs about 1,650 and fits the budget,
 * while pages nested in pages still multiply.
 */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  'ChatMessage.attachments': 1,
  'ChatMessage.reactions': 1,
  // Read with their parent in one statement, and short (5 components, a checkpoint's questions).
  'Trust.components': 1,
  'CheckpointAttempt.feedback': 1,
  'LearningProgress.checkpoints': 1,
  // Parsed from one event (the read is priced in FIELD_COSTS): a checkpoint's questions at most.
  'CheckpointAttempt.answers': 1,
  // Parsed from the checkpoint version's row: no read of their own.
  'Checkpoint.questions': 1,
  'CheckpointQuestion.options': 1,
  // One statement per module for all its media (at most 20) / its checkpoints.
  'LearningModule.media': 1,
  'LearningModule.checkpoints': 1,
  // At most three actors kept per notification, named for the whole page in one statement.
  'Notification.actors': 1,
  // Computed from one row (or the types table): no read of their own.
  'NotificationPreferences.channels': 1,
  'Query.notificationTypes': 1,
  // One per change pushed, priced with the change (ARGUMENT_COSTS); a feed page's records are
  // loaded a statement per entity type, priced with the sync.
  'SyncPayload.outcomes': 1,
  'SyncPayload.changes': 1,
};

/**
 * The cost of a field: 1 (or its entry in FIELD_COSTS), plus what it selects. A paged field (one taking `first` or
 * `page: { first }`) selects once per item, so its selection counts `first` times (the default
 * page size when not given). The list inside a *Connection is that page and is not multiplied
 * again; a list in LIST_SIZES counts its size; any other list of objects counts as one default
 * page. Introspection is free.
 */
function fieldCost({ field, args, childComplexity, type }: ComplexityEstimatorArgs): number {
  if (field.name.startsWith('__')) return 0;
  const name = `${type.name}.${field.name}`;
  const own = ARGUMENT_COSTS[name]?.(args) ?? FIELD_COSTS[name] ?? 1;
  const first = pageSizeOf(field.args, args);
  if (first !== undefined) return own + first * childComplexity;
  const returns = getNullableType(field.type);
  const listOfObjects = isListType(returns) && isObjectType(getNamedType(returns));
  if (listOfObjects && !type.name.endsWith('Connection')) {
    return own + (LIST_SIZES[name] ?? DEFAULT_PAGE_SIZE) * childComplexity;
  }
  return own + childComplexity;
}

function pageSizeOf(accepts: readonly { name: string }[], args: Record<string, unknown>): number | undefined {
  if (!accepts.some((arg) => arg.name === 'first' || arg.name === 'page')) return undefined;
  const page = args.page;
  // `last` pages backward (chat history): a page all the same.
  const first =
    typeof args.first === 'number'
      ? args.first
      : typeof args.last === 'number'
        ? args.last
        : typeof page === 'object' && page !== null && 'first' in page && typeof page.first === 'number'
          ? page.first
          : undefined;
  // A bigger page is refused by the page's own validation, with a clearer error than a cost.
  return Math.min(first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

/**
 * The estimated cost of every operation in `document` (a document holding several is charged for
 * all of them: an upper bound, and such documents are rare). Runs before execution with the
 * request's variables, so `first: $n` costs what `$n` says.
 */
export function queryComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): number {
  try {
    return getComplexity({ schema, query: document, variables: variables ?? {}, estimators: [fieldCost] });
  } catch (error) {
    // Too many nodes to even count (the library's own cap, 10 000) is as good as too complex; any
    // other error (bad variables) surfaces as the query error it is.
    if (error instanceof GraphQLError && error.message.includes('maximum allowed number of nodes')) {
      return Number.POSITIVE_INFINITY;
    }
    throw error;
  }
}

export function assertWithinComplexity(complexity: number, maxComplexity: number): void {
  if (complexity <= maxComplexity) return;
  const shown = Number.isFinite(complexity) ? String(complexity) : 'too many fields';
  throw new GraphQLError(`The operation costs ${shown}; the limit is ${maxComplexity}`, {
    extensions: {
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'QUERY_TOO_COMPLEX',
      ...(Number.isFinite(complexity) ? { complexity } : {}),
      maxComplexity,
    },
  });
}
