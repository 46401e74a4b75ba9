import {
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsField } from '../../src/api/selected-fields.ts';

/** The resolve info of the operation's first top-level field, as graphql-js hands it over. */
function infoOf(query: string) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const field = operation?.selectionSet.selections[0] as FieldNode;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [field], fragments };
}

describe('selectsField', () => {
  it('sees a field asked for directly, in an inline fragment or in a named one', () => {
    expect(selectsField(infoOf('{ users { totalCount nodes { id } } }'), 'totalCount')).toBe(true);
    expect(selectsField(infoOf('{ users { ... on UserConnection { totalCount } } }'), 'totalCount')).toBe(
      true,
    );
    expect(
      selectsField(
        infoOf(
          '{ users { ...Counted } } fragment Counted on UserConnection { ...Inner } fragment Inner on UserConnection { totalCount }',
        ),
        'totalCount',
      ),
    ).toBe(true);
  });

  it('does not see a field that is absent, or one deeper down under the same name', () => {
    expect(selectsField(infoOf('{ users { nodes { id } } }'), 'totalCount')).toBe(false);
    expect(selectsField(infoOf('{ users { nodes { totalCount: id } } }'), 'totalCount')).toBe(false);
    expect(selectsField(infoOf('{ users { count: pageInfo { hasNextPage } } }'), 'totalCount')).toBe(false);
  });
});
