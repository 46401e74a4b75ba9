import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { ApiLimits } from './api-limits.ts';
import { assertWithinComplexity, queryComplexity } from './query-complexity.ts';
import type { RateLimiting } from './rate-limits.ts';
import { assertNoNulCharacters } from './text-input.ts';

/**
 * Mercurius `preExecution` hook: the checks that need the request's variables, so they cannot be
 * validation rules (those are cached per query text). Refuses operations over the complexity
 * budget, and counts every `login` field (aliases included, so one request cannot carry a batch
 * of password guesses) against the sign-in limit. Text holding a NUL character is refused too.
 *
 * Mercurius hands over the same parsed document for the same query text, so what depends on the
 * document alone (its logins, its string literals) is worked out once per document, and its cost
 * once per set of variables: walking the document was a tenth of a small query's CPU.
 */
export function operationLimits(limits: ApiLimits, rateLimiting: RateLimiting) {
  const known = new WeakMap<DocumentNode, KnownDocument>();
  return async (
    schema: GraphQLSchema,
    document: DocumentNode,
    context: MercuriusContext,
    variables: Record<string, unknown> | undefined,
  ): Promise<void> => {
    let facts = known.get(document);
    if (!facts) {
      facts = { logins: loginFields(document), costs: new Map() };
      known.set(document, facts);
    }
    assertWithinComplexity(costOf(facts, schema, document, variables), limits.maxComplexity);
    assertNoNulCharacters(document, variables);
    if (facts.logins > 0 && context.reply) {
      await rateLimiting.countLogins(context.reply.request, context.reply, facts.logins);
    }
  };
}

interface KnownDocument {
  logins: number;
  /** The cost by the variables' JSON text, for the few sets of variables a document is used with. */
  costs: Map<string, number>;
}

/** Beyond these, a cost is computed afresh: variables that vary this much are not worth keeping. */
const COSTS_PER_DOCUMENT = 16;
const MAX_VARIABLES_KEY = 2_048;

function costOf(
  facts: KnownDocument,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): number {
  const key = variablesKey(variables);
  const cached = key === undefined ? undefined : facts.costs.get(key);
  if (cached !== undefined) return cached;
  let cost: number;
  try {
    cost = queryComplexity(schema, document, variables);
  } catch (error) {
    // Mercurius checks the variables before this hook, except on the request that compiles the
    // query (graphql-jit): there the compiled query refuses them itself, before any resolver runs,
    // as GRAPHQL_VALIDATION_FAILED. Nothing executes, so there is nothing to charge.
    if (hasInvalidVariables(schema, document, variables)) return 0;
    throw error;
  }
  if (key !== undefined && facts.costs.size < COSTS_PER_DOCUMENT) facts.costs.set(key, cost);
  return cost;
}

/** The variables as a cache key; none for large ones, or ones nested too deep to serialise. */
function variablesKey(variables: Record<string, unknown> | undefined): string | undefined {
  try {
    const key = JSON.stringify(variables ?? {});
    return key.length <= MAX_VARIABLES_KEY ? key : undefined;
  } catch {
    return undefined;
  }
}

function hasInvalidVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): boolean {
  return document.definitions.some(
    (d) =>
      d.kind === Kind.OPERATION_DEFINITION &&
      'errors' in getVariableValues(schema, d.variableDefinitions ?? [], variables ?? {}),
  );
}

/** Fields that sign someone in: each counts against the per-address sign-in budget. */
const LOGIN_FIELDS = new Set(['login', 'finishPasskeySignIn']);

function loginFields(document: DocumentNode): number {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const count = (selectionSet: SelectionSetNode, expanding: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (LOGIN_FIELDS.has(selection.name.value)) total++;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += count(selection.selectionSet, expanding);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || expanding.has(fragment.name.value)) continue;
        total += count(fragment.selectionSet, new Set([...expanding, fragment.name.value]));
      }
    }
    return total;
  };
  return document.definitions
    .filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'mutation',
    )
    .reduce((total, operation) => total + count(operation.selectionSet, new Set()), 0);
}

/**
 * Mercurius `preSubscriptionExecution` hook: Mercurius runs a subscription over WebSocket without
 * validating it, so a misspelt field would be dropped silently and the limits skipped. Here it is
 * validated exactly as an HTTP operation is: graphql-js's rules plus the app's own (`rules`: depth,
 * aliases, introspection when off). Complexity needs the variables, which this hook does not get:
 * it is checked when the subscription starts (see subscription-admission.ts).
 */
export function subscriptionValidation(rules: readonly ValidationRule[], suggestions: boolean) {
  const all = [...specifiedRules, ...rules];
  return async (schema: GraphQLSchema, document: DocumentNode, context: MercuriusContext): Promise<void> => {
    // Counted before the work of validating it: a refused `subscribe` is not free either.
    try {
      context.live?.admission.attempt();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new GraphQLError(error.message, {
        extensions: { code: error.code, reason: error.reason, ...error.details },
      });
    }
    const [first] = validate(schema, document, all);
    if (!first) return;
    const message = suggestions ? first.message : first.message.replace(/ Did you mean .*\?$/, '');
    throw new GraphQLError(message, {
      ...(first.nodes ? { nodes: first.nodes } : {}),
      extensions: first.extensions.code ? first.extensions : { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  };
}
