import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RejectedRequest } from './rejected-request.ts';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * No GraphQL document is also valid JSON, so a query that parses as JSON is not GraphQL source.
 * Text that opens with a name (`query`, `mutation`, ...) other than true/false/null, or with `{`
 * followed by a field name or `...`, cannot be JSON: it is answered without a JSON.parse, whose
 * exception on every genuine query cost more than the rest of this check.
 */
const isJson = (text: string) => {
  const opening = /^\s*(?:\{\s*([A-Za-z_.])|([A-Za-z_]))/.exec(text);
  if (opening?.[1] !== undefined) return false;
  if (opening?.[2] !== undefined && !'tfn'.includes(opening[2])) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const graphqlSource = z.string().refine((text) => !isJson(text), 'must be GraphQL source text');

/** A POST body as GraphQL over HTTP defines it; null stands for an absent parameter. */
const postParameters = z.object({
  query: graphqlSource.nullish(),
  operationName: z.string().nullish(),
  variables: jsonObject.nullish(),
  extensions: jsonObject.nullish(),
});

/** The same in a GET query string, where `variables` and `extensions` are JSON text. */
const getParameters = z.object({
  query: graphqlSource.optional(),
  operationName: z.string().optional(),
  variables: z.string().optional(),
  extensions: z.string().optional(),
});

/**
 * Checks a GraphQL request's parameters before Mercurius sees them, for two reasons:
 * - Mercurius reads a `query` that is valid JSON (`"{}"`, or `1` once Fastify has coerced it to a
 *   string) as a ready-parsed document, which graphql-js then fails on with a TypeError: an
 *   INTERNAL error and an error log for what is the client's mistake. Here it is a 400, as are
 *   parameters of the wrong type.
 * - GraphQL over HTTP requires accepting `"extensions": null`, which Mercurius' body schema
 *   (an object) refuses; the null is dropped.
 * A request with neither a query nor a persisted-query hash has nothing to run: 400 too, rather
 * than Mercurius' "unknown persisted query".
 */
export function validateGraphQLParameters(app: FastifyInstance, graphqlPath: string): void {
  app.addHook('preValidation', async (request) => {
    // A WebSocket upgrade on the same path opens a subscription connection; it has no parameters.
    if (request.routeOptions.url !== graphqlPath || request.headers.upgrade) return;
    const isGet = request.method === 'GET';
    const parsed = (isGet ? getParameters : postParameters).safeParse(isGet ? request.query : request.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
      const summary = issues.map((i) => `${i.path.join('.') || 'parameters'}: ${i.message}`).join('; ');
      const message = `Invalid GraphQL request (${summary})`;
      throw new RejectedRequest(400, 'VALIDATION', 'INVALID_REQUEST', message, { issues });
    }
    const { query, extensions } = parsed.data;
    if ((query === undefined || query === null) && !hasPersistedQuery(extensions)) {
      throw new RejectedRequest(400, 'VALIDATION', 'MISSING_QUERY', 'The request has no query');
    }
    // graphql-js parses recursively: a document nested thousands deep overflows the stack, and the
    // client would read "Maximum call stack size exceeded". Refused here before it is parsed.
    const nesting = query ? bracketNesting(query, MAX_DOCUMENT_NESTING) : 0;
    if (nesting > MAX_DOCUMENT_NESTING) {
      throw new RejectedRequest(
        400,
        'VALIDATION',
        'DOCUMENT_TOO_NESTED',
        `The document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep`,
        { maxNesting: MAX_DOCUMENT_NESTING },
      );
    }
    if (extensions === null) dropNullExtensions(request);
  });
}

/**
 * Deepest nesting of `{`, `[` and `(` a document may have. Far above the depth limit (fields) and
 * any list literal a client needs, far below what overflows graphql-js's recursive parser.
 */
export const MAX_DOCUMENT_NESTING = 200;

/**
 * How deeply `{`, `[` and `(` nest in GraphQL source, outside strings and comments; stops counting
 * once past `limit` (the answer is then `limit + 1`), so a hostile document costs one short scan.
 */
export function bracketNesting(source: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (char === '"') {
      if (source.startsWith('"""', i)) {
        // A block string ends at the first """ that is not escaped as \""".
        let end = source.indexOf('"""', i + 3);
        while (end !== -1 && source[end - 1] === '\\') end = source.indexOf('"""', end + 3);
        i = end === -1 ? source.length : end + 2;
      } else {
        for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++) {
          if (source[i] === '\\') i++;
        }
      }
    } else if (char === '{' || char === '[' || char === '(') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === '}' || char === ']' || char === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/** Whether `extensions` (an object, or JSON text in a GET) carries a persisted-query hash. */
function hasPersistedQuery(extensions: Record<string, unknown> | string | null | undefined): boolean {
  if (typeof extensions !== 'string') return extensions?.persistedQuery !== undefined;
  try {
    const parsed: unknown = JSON.parse(extensions);
    return typeof parsed === 'object' && parsed !== null && 'persistedQuery' in parsed;
  } catch {
    // Mercurius refuses JSON that does not parse, with its own message.
    return true;
  }
}

function dropNullExtensions(request: FastifyRequest): void {
  const { body } = request;
  if (typeof body === 'object' && body !== null) Reflect.deleteProperty(body, 'extensions');
}
