import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';
import type { BrandState } from './brand-state.ts';
import { BRAND_ROLES, type BrandRole } from './brand-values.ts';

/**
 * The role an actor holds on a brand, or null when they hold none. Platform admins and the system
 * (sagas, internal processes) count as brand admins; an API key acts with its owner's role, but a
 * key without write scope never more than a viewer's. Pure, so services (write side) and the API
 * (read side) agree.
 */
export function brandAccessOf(state: BrandState, actor: Actor): BrandRole | null {
  if (state.status === 'none') return null;
  switch (actor.kind) {
    case 'system':
      return 'admin';
    case 'user':
      return actor.role === 'admin' ? 'admin' : (state.members[actor.userId] ?? null);
    case 'integration': {
      const ownerRole = state.members[actor.ownerId] ?? null;
      if (ownerRole === null || actor.scopes.includes('graphql:write')) return ownerRole;
      return 'viewer';
    }
    case 'anonymous':
      return null;
  }
}

/** Whether `role` includes everything `required` may do (viewer < editor < approver < admin). */
export const atLeast = (role: BrandRole | null, required: BrandRole): boolean =>
  role !== null && BRAND_ROLES.indexOf(role) >= BRAND_ROLES.indexOf(required);

/**
 * How an actor is recorded in `...By` fields: a user's id (an API key's owner), or
 * `system:<process>`. Anonymous callers never reach a decision that records them.
 */
export function recordedAs(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.userId;
    case 'integration':
      return actor.ownerId;
    case 'system':
      return `system:${actor.process}`;
    case 'anonymous':
      throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  }
}
