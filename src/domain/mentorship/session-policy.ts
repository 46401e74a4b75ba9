import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';
import type { SessionSide } from './session-values.ts';

/**
 * Who may act on a session: its mentor and its learner (a user, or the owner of an API key acting
 * for them). Platform admins may read and cancel any session, never act in one. Pure, so the write
 * side and the API's reads agree.
 */
export function personOf(actor: Actor): string | null {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  return null;
}

export const isAdmin = (actor: Actor) => actor.kind === 'user' && actor.role === 'admin';

export function sideOf(session: { mentorId: string; learnerId: string }, actor: Actor): SessionSide | null {
  const person = personOf(actor);
  if (person === null) return null;
  if (person === session.mentorId) return 'mentor';
  if (person === session.learnerId) return 'learner';
  return null;
}

/** The caller's side in the session, or FORBIDDEN. */
export function requireParticipant(
  session: { mentorId: string; learnerId: string },
  actor: Actor,
  action: string,
): { side: SessionSide; personId: string } {
  const side = sideOf(session, actor);
  const personId = personOf(actor);
  if (side === null || personId === null) {
    throw forbidden('NOT_A_PARTICIPANT', `Only the session's mentor and learner can ${action}`);
  }
  return { side, personId };
}

/** Whether `actor` may see the session at all. */
export const canSeeSession = (session: { mentorId: string; learnerId: string }, actor: Actor) =>
  isAdmin(actor) || sideOf(session, actor) !== null;
