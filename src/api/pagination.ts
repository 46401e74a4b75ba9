import { z } from 'zod';
import { validation } from '../domain/shared/domain-error.ts';

/** Every list in the API is a Relay-style connection, at most this many nodes per page. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export const pageInput = z
  .object({
    first: z.number().int().min(1).max(MAX_PAGE_SIZE).nullish(),
    after: z.string().max(200).nullish(),
  })
  .nullish();

export interface Page {
  first: number;
  /** The keyset values of the cursor `after`, already validated. */
  after: string[] | undefined;
}

/**
 * Keyset pagination: a cursor is the sort key of the last row seen (opaque base64url JSON), so
 * pages stay stable while rows are added, and `after` costs one index seek, never an OFFSET.
 */
export function pageOf(raw: unknown, keyParts: number): Page {
  const page = pageInput.parse(raw) ?? {};
  return {
    first: page.first ?? DEFAULT_PAGE_SIZE,
    after: page.after ? decodeCursor(page.after, keyParts) : undefined,
  };
}

export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, keyParts: number): string[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === keyParts && value.every((v) => typeof v === 'string')) {
      return value;
    }
  } catch {
    // Falls through to the typed error below.
  }
  throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  nodes: Node[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Left out when the query does not select it, so its count is never run. */
  totalCount?: number;
}

/**
 * A connection from rows fetched with `limit first + 1` (the extra row only says there is a next
 * page). `cursorOf` gives a row's sort key; `toNode` maps it for GraphQL. `totalCount` is
 * undefined when the query does not select it.
 */
export function connection<Row, Node>(
  rows: readonly Row[],
  page: Page,
  totalCount: number | undefined,
  cursorOf: (row: Row) => readonly string[],
  toNode: (row: Row) => Node,
): Connection<Node> {
  const edges = rows
    .slice(0, page.first)
    .map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: toNode(row) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    ...(totalCount === undefined ? {} : { totalCount }),
  };
}
