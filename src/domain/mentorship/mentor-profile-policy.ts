import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

/**
 * Who may act in the mentorship context. A profile or a request belongs to a person (a user, or
 * the owner of the API key that acts for them); the matching saga acts as the system.
 */

/** The person acting, or FORBIDDEN for the system and anonymous callers. */
export function personOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'system') throw forbidden('PEOPLE_ONLY', 'Only a person can do this');
  throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
}

/** The person themself, and nobody else (not even an admin: a profile speaks for its person). */
export function requireSelf(actor: Actor, userId: string, reason: string, what: string): void {
  if (personOf(actor) !== userId) throw forbidden(reason, `Only ${what}`);
}

/** Steps the matching saga takes: nobody else may record them. */
export function requireSystem(actor: Actor): void {
  if (actor.kind !== 'system') {
    throw forbidden('SYSTEM_ONLY', 'Only the matching process records this step');
  }
}

export const isAdmin = (actor: Actor) => actor.kind === 'user' && actor.role === 'admin';
