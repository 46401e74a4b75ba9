import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';

/** Whose inbox the caller reads: their own, or (an API key) its owner's. Processes have none. */
export function inboxOwnerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person has an inbox');
}
