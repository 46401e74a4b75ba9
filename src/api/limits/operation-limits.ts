import {
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  validate,
} from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { ApiLimits } from './api-limits.ts';
import { assertWithinComplexity, queryComplexity } from './query-complexity.ts';
import { maxDepthRule } from './query-depth.ts';
import type { RateLimiting } from './rate-limits.ts';
import { assertNoNulCharacters } from './text-input.ts';

/**
 * Mercurius `preExecution` hook: the checks that need the request's variables, so they cannot be
 * validation rules (those are cached per query text). Refuses operations over the complexity
 * budget, and counts every `login` field (aliases included, so one request cannot carry a batch
 * of password guesses) against the sign-in limit. Text holding a NUL character is refused too.
 */
export function operationLimits(limits: ApiLimits, rateLimiting: RateLimiting) {
  return async (
    schema: GraphQLSchema,
    document: DocumentNode,
    context: MercuriusContext,
    variables: Record<string, unknown> | undefined,
  ): Promise<void> => {
    assertWithinComplexity(queryComplexity(schema, document, variables), limits.maxComplexity);
    assertNoNulCharacters(document, variables);
    const logins = loginFields(document);
    if (logins > 0 && context.reply) {
      await rateLimiting.countLogins(context.reply.request, context.reply, logins);
    }
  };
}

function loginFields(document: DocumentNode): number {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const count = (selectionSet: SelectionSetNode, expanding: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === 'login') total++;
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
 * Mercurius `preSubscriptionExecution` hook: subscriptions over WebSocket skip the validation rules
 * given to Mercurius, so the depth limit is checked here. (Not complexity: the hook gets no
 * variables, and a subscription is one root field whose payloads are pushed, not fetched.)
 */
export function subscriptionDepthLimit(limits: ApiLimits) {
  const rules = [maxDepthRule(limits.maxDepth)];
  return async (schema: GraphQLSchema, document: DocumentNode): Promise<void> => {
    const [tooDeep] = validate(schema, document, rules);
    if (tooDeep) throw tooDeep;
  };
}
