import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Does the query ask for `name` directly under the field being resolved (through fragments too)?
 * Lets a resolver skip work nobody reads, such as a connection's count.
 */
export function selectsField(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  name: string,
): boolean {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return within(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = selection.name.value;
          // A fragment spread twice is looked at once (validation forbids cycles anyway).
          if (seen.has(fragment)) return false;
          seen.add(fragment);
          return within(info.fragments[fragment]?.selectionSet);
        }
        default:
          return false;
      }
    });
  return info.fieldNodes.some((node) => within(node.selectionSet));
}
