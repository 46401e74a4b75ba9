import mercurius, { type PersistedQueryProvider } from 'mercurius';

/**
 * Automatic persisted queries (Apollo's protocol): a client sends only
 * `extensions.persistedQuery.sha256Hash`, and the full query once when told it is unknown. Anyone
 * may register a query, so the cache is an LRU with a fixed size: a flood of one-off queries
 * evicts entries (clients then re-send them) instead of growing memory.
 */
export const PERSISTED_QUERY_CACHE_SIZE = 1_000;

export function automaticPersistedQueries(): PersistedQueryProvider {
  return mercurius.persistedQueryDefaults.automatic(PERSISTED_QUERY_CACHE_SIZE);
}

/**
 * Mercurius throws these as plain errors without `extensions`. Apollo clients recognise
 * PERSISTED_QUERY_NOT_FOUND (re-send with the query) and PERSISTED_QUERY_NOT_SUPPORTED (stop
 * hashing) by code, so those two keep Apollo's names.
 */
const EXTENSIONS_BY_MERCURIUS_CODE = new Map<string, { code: string; reason?: string }>([
  ['MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND', { code: 'PERSISTED_QUERY_NOT_FOUND' }],
  ['MER_ERR_GQL_PERSISTED_QUERY_NOT_SUPPORTED', { code: 'PERSISTED_QUERY_NOT_SUPPORTED' }],
  ['MER_ERR_GQL_PERSISTED_QUERY_MISMATCH', { code: 'VALIDATION', reason: 'PERSISTED_QUERY_HASH_MISMATCH' }],
]);

/** The `extensions` for a persisted-query error, or undefined for any other error. */
export function persistedQueryErrorExtensions(error: Error): { code: string; reason?: string } | undefined {
  const code = 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? EXTENSIONS_BY_MERCURIUS_CODE.get(code) : undefined;
}
