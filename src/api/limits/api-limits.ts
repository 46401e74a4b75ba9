/**
 * What one request may ask of the API. Every limit has a default that suits `npm start`; operators
 * tune the rate limits through the environment (src/config.ts), tests pass tiny values to buildApp.
 */
export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface ApiLimits {
  /** Deepest field nesting of an operation (introspection fields do not count). */
  maxDepth: number;
  /** Estimated cost of an operation: one per field, paged fields times their page size. */
  maxComplexity: number;
  /** Aliased fields in one document: repeating a field under many names multiplies its work. */
  maxAliases: number;
  /** Largest request body; bigger ones are refused with 413 before they are parsed. */
  bodyLimitBytes: number;
  /** GraphQL requests per caller (user, API key, or IP address when anonymous) per window. */
  requests: RateLimit;
  /** Sign-in attempts per IP address per window, on top of `requests` and the per-account lockout. */
  logins: RateLimit;
  /**
   * Longest a client may take to send a request's headers: a client trickling them (slow loris) is
   * answered 408 and disconnected instead of holding a connection for as long as it likes.
   */
  headersTimeoutMs: number;
  /**
   * Longest a client may take to send a whole request, body included (uploads too): 408 and
   * disconnected past it. Bounds how long a trickled body holds a connection and an upload open.
   */
  requestTimeoutMs: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  maxDepth: 10,
  maxComplexity: 2_000,
  maxAliases: 30,
  bodyLimitBytes: 100 * 1024,
  requests: { max: 600, windowMs: 60_000 },
  logins: { max: 20, windowMs: 60_000 },
  headersTimeoutMs: 10_000,
  // A 2 GiB video (the default largest upload) needs about 0.6 MB/s (4.8 Mbit/s) to arrive in time.
  requestTimeoutMs: 60 * 60_000,
};

export type ApiLimitsOverrides = Partial<Omit<ApiLimits, 'requests' | 'logins'>> & {
  requests?: Partial<RateLimit>;
  logins?: Partial<RateLimit>;
};

export function apiLimits(overrides: ApiLimitsOverrides = {}): ApiLimits {
  return {
    ...DEFAULT_API_LIMITS,
    ...overrides,
    requests: { ...DEFAULT_API_LIMITS.requests, ...overrides.requests },
    logins: { ...DEFAULT_API_LIMITS.logins, ...overrides.logins },
  };
}
