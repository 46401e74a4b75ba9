import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

/**
 * The person a chat command is by: a signed-in user, or the owner of the API key that sends it
 * (a bot acting for its owner). Processes do not chat.
 */
export function chatterOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person chats');
}
