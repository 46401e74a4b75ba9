import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
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
