import type { VerifiedAccessToken } from '../../auth/access-tokens.ts';
import type { ApiScope, PlatformRole } from '../../domain/shared/decider.ts';
import type { Change } from '../../projections/change-bus.ts';

/** What `authenticate` reads about a session and its user (see authenticate.ts). */
export interface SessionFacts {
  userId: string;
  startedAt: Date;
  revoked: boolean;
  userStatus: string;
  role: PlatformRole;
  sessionsRevokedBefore: Date | null;
}

/** What `authenticate` reads about an API key and its owner; the hash is compared on every request. */
export interface ApiKeyFacts {
  ownerId: string;
  scopes: ApiScope[];
  tokenHash: string;
  revoked: boolean;
  ownerStatus: string | null;
}

/** Read models whose rows `authenticate` reads. */
export const ACCESS_PROJECTIONS: ReadonlySet<string> = new Set(['sessions', 'users', 'api_keys']);

/**
 * Events that never take access away from a credential already checked: a command made only of
 * these (sign-in, refresh, profile edits) leaves the cache alone. Any other event, and any event
 * added later, evicts.
 */
const ACCESS_KEEPING_EVENTS: ReadonlySet<string> = new Set([
  'UserRegistered',
  'UserProfileChanged',
  'LoginSucceeded',
  'LoginFailed',
  'SessionStarted',
  'SessionRefreshed',
  'ApiKeyCreated',
]);

export interface AccessCacheOptions {
  /**
   * How long a fact is trusted without news. Eviction by the change bus is exact, but a bus can
   * miss (Redis away): this is the bound on how late another process refuses a revoked credential.
   */
  ttlMs: number;
  /** Entries per kind; the oldest goes first, so a flood of distinct tokens cannot grow memory. */
  maxEntries: number;
  /** Milliseconds; a monotonic clock, so a wall-clock step cannot stretch an entry's life. */
  clock?: () => number;
}

export const ACCESS_CACHE_DEFAULTS: AccessCacheOptions = { ttlMs: 1_000, maxEntries: 10_000 };

interface Entry<Facts> {
  facts: Facts;
  expiresAt: number;
}

/**
 * Sessions and API keys `authenticate` has looked up, held briefly so a request does not ask
 * PostgreSQL who is calling: that check was one of the three statements of every read.
 *
 * Access must still end at once. Every change the projector reports to the sessions, users or
 * api_keys read models evicts what it touches (all of it when the change does not list its keys),
 * and a command this process ran evicts as soon as its read-your-writes wait sees the read models
 * caught up, before the mutation answers. A look-up that was under way while something was evicted
 * is not stored, since it may have read the row just before the change committed. Only a
 * process that misses a notification (its Redis connection away) can serve a revoked credential,
 * and at most for `ttlMs`.
 */
export class AccessCache {
  private readonly tokens = new Map<string, Entry<VerifiedAccessToken>>();
  private readonly sessions = new Map<string, Entry<SessionFacts>>();
  private readonly keys = new Map<string, Entry<ApiKeyFacts>>();
  /** Bumped by every eviction: a look-up started under an older generation is not stored. */
  private generation = 0;
  private readonly clock: () => number;

  constructor(private readonly options: AccessCacheOptions = ACCESS_CACHE_DEFAULTS) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * An access token whose signature was verified lately, by its exact text: the Ed25519 check was a
   * fifth of a read's CPU. Nothing the read models hold changes a signature, so no eviction applies;
   * `ttlMs` bounds how late a signing key that stops being accepted is noticed. The caller still
   * checks the token's expiry on every use.
   */
  async verifiedToken(
    token: string,
    verify: () => Promise<VerifiedAccessToken>,
  ): Promise<VerifiedAccessToken> {
    const startedAt = this.clock();
    const cached = this.tokens.get(token);
    if (cached && cached.expiresAt > startedAt) return cached.facts;
    if (cached) this.tokens.delete(token);
    const verified = await verify();
    this.store(this.tokens, token, verified, startedAt);
    return verified;
  }

  session(
    sessionId: string,
    load: () => Promise<SessionFacts | undefined>,
  ): Promise<SessionFacts | undefined> {
    return this.through(this.sessions, sessionId, load);
  }

  apiKey(keyId: string, load: () => Promise<ApiKeyFacts | undefined>): Promise<ApiKeyFacts | undefined> {
    return this.through(this.keys, keyId, load);
  }

  /** A change bus listener: drops whatever the change may have altered. */
  forget(change: Change): void {
    if (!ACCESS_PROJECTIONS.has(change.projection)) return;
    this.generation++;
    if (change.truncated) {
      this.sessions.clear();
      this.keys.clear();
      return;
    }
    for (const { key } of change.keys) {
      if (typeof key.session_id === 'string') this.sessions.delete(key.session_id);
      if (typeof key.key_id === 'string') this.keys.delete(key.key_id);
      if (typeof key.user_id === 'string') this.forgetUser(key.user_id);
      if (typeof key.owner_id === 'string') this.forgetUser(key.owner_id);
    }
  }

  /**
   * A command this process ran has reached a read model: evicts, unless its events cannot have
   * taken access away. The bus will tell the same with the keys, but perhaps only after the
   * mutation has answered and its caller sent the next request.
   */
  commandReached(change: Change, eventTypes: readonly string[] | undefined): void {
    if (eventTypes?.every((type) => ACCESS_KEEPING_EVENTS.has(type))) return;
    this.forget(change);
  }

  get size(): number {
    return this.sessions.size + this.keys.size;
  }

  private forgetUser(userId: string): void {
    for (const [id, entry] of this.sessions) if (entry.facts.userId === userId) this.sessions.delete(id);
    for (const [id, entry] of this.keys) if (entry.facts.ownerId === userId) this.keys.delete(id);
  }

  private async through<Facts>(
    entries: Map<string, Entry<Facts>>,
    id: string,
    load: () => Promise<Facts | undefined>,
  ): Promise<Facts | undefined> {
    const startedAt = this.clock();
    const cached = entries.get(id);
    if (cached && cached.expiresAt > startedAt) return cached.facts;
    if (cached) entries.delete(id);
    const generation = this.generation;
    const facts = await load();
    // Unknown credentials are not kept: they are refused, and a session the read model has not
    // seen yet is found in the event store next time.
    if (facts === undefined || generation !== this.generation) return facts;
    this.store(entries, id, facts, startedAt);
    return facts;
  }

  private store<Facts>(entries: Map<string, Entry<Facts>>, id: string, facts: Facts, startedAt: number) {
    if (entries.size >= this.options.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    // The lifetime counts from before the read, so no entry outlives its facts by more than ttlMs.
    entries.set(id, { facts, expiresAt: startedAt + this.options.ttlMs });
  }
}
