import type pg from 'pg';
import type { ServiceDeps } from '../../services/shared/command-context.ts';

/** What the matching activities use: the command pipeline and the mentorship read models. */
export interface MatchingDeps extends ServiceDeps {
  /** Where candidates are ranked from (`mentor_profiles`, `mentor_stats`, `match_offers`). */
  pool: pg.Pool;
}
