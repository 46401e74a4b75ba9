import type pg from 'pg';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * What the mentorship use cases need (profiles, matching, sessions, the AI mentor): the command
 * pipeline, its `settle` waiting for the mentorship read models, and the read side for the facts
 * a command is handed (candidates, calendars, conversation context).
 */
export interface MentorshipDeps extends ServiceDeps {
  pool: pg.Pool;
}
