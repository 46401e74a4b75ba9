import { randomUUID } from 'node:crypto';
import {
  buildClientSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getIntrospectionQuery,
  getNamedType,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import type { IdentityApp } from '../api/support/identity-app.ts';

/**
 * Everything a client may type into the API, found by introspection: every String or ID leaf of
 * every argument (input objects and lists walked), so a field added tomorrow is attacked too.
 */
export interface TextInput {
  /** `Mutation` or `Query`. */
  root: 'Mutation' | 'Query';
  field: string;
  /** The argument, then input-object fields: `['input', 'identity', 'toneOfVoice']`. */
  path: string[];
  scalar: 'String' | 'ID';
}

export async function introspectedSchema(api: IdentityApp, token?: string): Promise<GraphQLSchema> {
  const response = await api.gql(getIntrospectionQuery(), {}, token);
  if (!response.data) throw new Error(`introspection failed: ${JSON.stringify(response.errors)}`);
  return buildClientSchema(response.data as unknown as IntrospectionQuery);
}

export function textInputs(schema: GraphQLSchema, root: 'Mutation' | 'Query'): TextInput[] {
  const type = root === 'Mutation' ? schema.getMutationType() : schema.getQueryType();
  const found: TextInput[] = [];
  const walk = (field: string, inputType: GraphQLInputType, path: string[], seen: Set<string>) => {
    const named = getNamedType(inputType);
    if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) {
      found.push({ root, field, path, scalar: named.name });
    } else if (isInputObjectType(named) && !seen.has(named.name)) {
      for (const inner of Object.values(named.getFields())) {
        walk(field, inner.type, [...path, inner.name], new Set([...seen, named.name]));
      }
    }
  };
  for (const field of Object.values(type?.getFields() ?? {})) {
    for (const arg of field.args) walk(field.name, arg.type, [arg.name], new Set());
  }
  return found;
}

/** A plausible value for a field by its name, so the hostile value is not refused for its neighbours. */
function plausibleText(name: string): string {
  const lower = name.toLowerCase();
  if (lower.includes('email')) return `hostile-${randomUUID()}@example.org`;
  if (lower.includes('password')) return 'correct horse battery staple';
  if (lower === 'timezone') return 'Europe/Paris';
  if (lower === 'start') return '09:00';
  if (lower === 'end') return '10:00';
  if (lower.startsWith('language')) return 'en';
  if (lower === 'country') return 'GB';
  if (lower === 'startsat' || lower === 'at') return new Date(Date.now() + 86_400_000).toISOString();
  if (lower.includes('url')) return 'https://example.org/hostile';
  if (lower === 'colours') return '#336699';
  if (lower === 'level') return 'beginner';
  if (lower.includes('style')) return 'structured';
  if (lower === 'contenttype') return 'video/mp4';
  if (lower === 'filename') return 'clip.mp4';
  if (lower === 'subject' || lower === 'subjects') return 'algebra';
  if (lower === 'code' || lower === 'secondfactor') return '123456';
  return 'plain words';
}

/**
 * A value of `type` for the argument/field named `name`: required parts filled with plausible values,
 * optional ones left out, except along `target` (the remaining path), which ends in `hostile`.
 */
export function valueFor(
  name: string,
  type: GraphQLInputType,
  target: string[] | null,
  hostile: string,
): unknown {
  if (isNonNullType(type)) return valueFor(name, type.ofType, target, hostile);
  if (isListType(type)) return [valueFor(name, type.ofType, target, hostile)];
  if (target !== null && target.length === 0) return hostile;
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return randomUUID();
      case 'Int':
        return 1;
      case 'Float':
        return 1024;
      case 'Boolean':
        return false;
      case 'String':
        return plausibleText(name);
      default:
        return {};
    }
  }
  if (isEnumType(type)) return type.getValues()[0]?.value ?? null;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const inner of Object.values(type.getFields())) {
      const onTarget = target?.[0] === inner.name;
      if (onTarget) value[inner.name] = valueFor(inner.name, inner.type, target.slice(1), hostile);
      else if (isNonNullType(inner.type) && inner.defaultValue === undefined) {
        value[inner.name] = valueFor(inner.name, inner.type, null, hostile);
      }
    }
    return value;
  }
  return null;
}

/**
 * One operation calling `field` with every required argument filled and `input.path` set to
 * `hostile`, all through variables (so the string reaches the resolvers byte for byte).
 */
export function hostileOperation(
  schema: GraphQLSchema,
  input: TextInput,
  hostile: string,
): { query: string; variables: Record<string, unknown> } {
  const rootType = input.root === 'Mutation' ? schema.getMutationType() : schema.getQueryType();
  const field = rootType?.getFields()[input.field] as GraphQLField<unknown, unknown>;
  const args = field.args.filter(
    (arg: GraphQLArgument) =>
      arg.name === input.path[0] || (isNonNullType(arg.type) && arg.defaultValue === undefined),
  );
  const variables: Record<string, unknown> = {};
  for (const arg of args) {
    const onTarget = arg.name === input.path[0];
    variables[arg.name] = valueFor(arg.name, arg.type, onTarget ? input.path.slice(1) : null, hostile);
  }
  const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const keyword = input.root === 'Mutation' ? 'mutation' : 'query';
  const query = `${keyword} Hostile${declarations ? `(${declarations})` : ''} { ${input.field}${
    passed ? `(${passed})` : ''
  }${selection} }`;
  return { query, variables };
}

/** Strings shaped like SQL injection, escapes, wildcards, a NUL byte and awkward Unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  "'; drop table es_events; --",
  // A tautology, LIKE wildcards and a backslash (an escape character in LIKE patterns and E'' strings).
  "' OR '1'='1' -- %_\\",
  'nul\u0000byte',
  'Ünïcødé 😀 \u202egnp.exe \uFEFF',
];

/** Error text that would reveal SQL, the database or the runtime behind the API. */
export const LEAKED_INTERNALS =
  /syntax error|relation "|column "|pg_|postgres|sqlstate|duplicate key|violates|invalid byte sequence|unsupported unicode|unterminated|at character|stack|node_modules|\.ts:\d+|TypeError|ReferenceError/i;
