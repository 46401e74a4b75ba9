import { type DocumentNode, type GraphQLResolveInfo, Kind } from 'graphql';
import { rateLimited } from '../../domain/shared/domain-error.ts';
import { assertWithinComplexity, queryComplexity } from '../limits/query-complexity.ts';

/** What one WebSocket may open: how costly each subscription, how many at once, how often. */
export interface AdmissionLimits {
  /** The HTTP complexity budget, applied to each subscription's selection (what every push costs). */
  maxComplexity: number;
  maxSubscriptionsPerSocket: number;
  /** `subscribe` messages per socket per minute, so open–complete churn is bounded too. */
  subscribesPerMinute: number;
}

const MINUTE_MS = 60_000;

/**
 * The subscriptions of one connection. Each `subscribe` message is counted first (`attempt`, from
 * the validation hook), then admitted before it starts (`admit`): its cost is checked with its
 * variables (which only the resolver sees, hence not in a Mercurius hook), then it takes a slot,
 * given back when it ends however it ends.
 */
export class Admission {
  private open = 0;
  private recent: number[] = [];

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one `subscribe` message, whatever becomes of it (one refused still cost its validation),
   * and refuses with RATE_LIMITED/TOO_MANY_SUBSCRIBES past the rate. Called before validation.
   */
  attempt(): void {
    const now = this.now();
    this.recent = this.recent.filter((at) => at > now - MINUTE_MS);
    if (this.recent.length >= this.limits.subscribesPerMinute) {
      throw rateLimited(
        'TOO_MANY_SUBSCRIBES',
        `At most ${this.limits.subscribesPerMinute} subscriptions may be started per minute on one connection`,
        { limit: this.limits.subscribesPerMinute },
      );
    }
    this.recent.push(now);
  }

  /** Refuses with GRAPHQL_VALIDATION_FAILED or RATE_LIMITED; otherwise returns the slot's release. */
  admit(info: Pick<GraphQLResolveInfo, 'schema' | 'operation' | 'fragments' | 'variableValues'>): () => void {
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [info.operation, ...Object.values(info.fragments)],
    };
    assertWithinComplexity(
      queryComplexity(info.schema, document, info.variableValues),
      this.limits.maxComplexity,
    );
    if (this.open >= this.limits.maxSubscriptionsPerSocket) {
      throw rateLimited(
        'TOO_MANY_SUBSCRIPTIONS',
        `At most ${this.limits.maxSubscriptionsPerSocket} subscriptions may be open on one connection; complete one first`,
        { limit: this.limits.maxSubscriptionsPerSocket },
      );
    }
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }
}
