import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

/** The actor is this user, signed in as themselves (not through an API key). */
export const isUser = (actor: Actor, userId: string) => actor.kind === 'user' && actor.userId === userId;

export const isAdmin = (actor: Actor) => actor.kind === 'user' && actor.role === 'admin';

export const isSystem = (actor: Actor) => actor.kind === 'system';

/** The user themself, an API key of theirs with write scope, an admin, or the system. */
export function actsFor(actor: Actor, userId: string): boolean {
  if (isUser(actor, userId) || isAdmin(actor) || isSystem(actor)) return true;
  return actor.kind === 'integration' && actor.ownerId === userId && actor.scopes.includes('graphql:write');
}

/**
 * Security-sensitive changes (password, second factor, API keys): only the user, signed in
 * interactively. An API key cannot mint keys or change how its owner signs in.
 */
export function requireSelf(actor: Actor, userId: string, action: string): void {
  if (!isUser(actor, userId)) throw forbidden('NOT_OWNER', `Only the user can ${action}`);
}

export function requireActsFor(actor: Actor, userId: string, action: string): void {
  if (!actsFor(actor, userId)) throw forbidden('NOT_OWNER', `Not allowed to ${action} for this user`);
}

export function requireAdmin(actor: Actor, action: string): void {
  if (!isAdmin(actor) && !isSystem(actor)) throw forbidden('ADMIN_ONLY', `Only an admin can ${action}`);
}

/** Ending an account or its sessions: the user signed in as themself, an admin, or the system. */
export function requireSelfOrAdmin(actor: Actor, userId: string, action: string): void {
  if (!isUser(actor, userId) && !isAdmin(actor) && !isSystem(actor)) {
    throw forbidden('NOT_OWNER', `Not allowed to ${action} for this user`);
  }
}
