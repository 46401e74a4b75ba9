import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

/**
 * Who moderates: platform moderators and admins, and the system's own processes. An API key never
 * does, whoever owns it: a moderator's decision is a person's judgement, recorded under their name.
 */
export function moderatorOf(actor: Actor): string {
  if (actor.kind === 'system') return `system:${actor.process}`;
  if (actor.kind === 'user' && (actor.role === 'moderator' || actor.role === 'admin')) return actor.userId;
  throw forbidden('MODERATORS_ONLY', 'Only moderators can do this');
}

/** Whether a reader sees moderation queues and hidden content (pure: the API's reads use it too). */
export const isModerator = (actor: Actor): boolean =>
  actor.kind === 'user' && (actor.role === 'moderator' || actor.role === 'admin');

/** A person reporting content: a signed-in user, or the owner of the API key that reports. */
export function reporterOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person reports content');
}
