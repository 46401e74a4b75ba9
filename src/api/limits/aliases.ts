import { type ASTVisitor, GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Refuses documents with more than `maxAliases` aliased fields. Aliases are how one request asks
 * for the same field many times (`a1: searchContent(...) a2: searchContent(...) ...`); the cost
 * model prices each copy, and this cap keeps even cheap copies from multiplying the work of one
 * request. A validation rule, so it runs once per distinct document.
 */
export function maxAliasesRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases <= maxAliases) return;
          context.reportError(
            new GraphQLError(`The document has ${aliases} aliased fields; the limit is ${maxAliases}`, {
              extensions: {
                code: 'GRAPHQL_VALIDATION_FAILED',
                reason: 'TOO_MANY_ALIASES',
                aliases,
                maxAliases,
              },
            }),
          );
        },
      },
    };
  };
}
