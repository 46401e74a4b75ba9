import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Refuses operations nested deeper than `maxDepth` fields. A validation rule (not Mercurius's
 * `queryDepth`) so that the error carries a reason and introspection, which GraphiQL sends and
 * which nests a dozen levels by design, does not count. Runs once per distinct query: Mercurius
 * caches validation, refusals included.
 */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const depth = selectionDepth(operation.selectionSet, context, new Set());
      if (depth > maxDepth) {
        const name = operation.name?.value ?? 'The operation';
        context.reportError(
          new GraphQLError(`${name} is ${depth} levels deep; the limit is ${maxDepth}`, {
            nodes: [operation],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_DEEP', depth, maxDepth },
          }),
        );
      }
    },
  });
}

function selectionDepth(
  selectionSet: SelectionSetNode | undefined,
  context: ValidationContext,
  // Fragments being expanded on this path: a cycle is another rule's error, not an endless loop here.
  expanding: Set<string>,
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, context, expanding));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, context, expanding));
    } else {
      const name = selection.name.value;
      const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
      if (!fragment || expanding.has(name)) continue;
      expanding.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, context, expanding));
      expanding.delete(name);
    }
  }
  return deepest;
}
