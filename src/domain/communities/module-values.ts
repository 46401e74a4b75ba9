import { z } from 'zod';
import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';

export const MAX_MODULE_TITLE_LENGTH = 200;
/** About 30 pages of text: a module longer than that is two modules. */
export const MAX_MODULE_BODY_LENGTH = 100_000;
export const MAX_MODULE_MEDIA = 20;
export const MAX_PATH_TITLE_LENGTH = 200;
export const MAX_PATH_DESCRIPTION_LENGTH = 5_000;
export const MAX_PATH_MODULES = 100;

export const moduleTitle = z.string().trim().min(1).max(MAX_MODULE_TITLE_LENGTH);
export const moduleBody = z.string().trim().min(1).max(MAX_MODULE_BODY_LENGTH);
export const pathTitle = z.string().trim().min(1).max(MAX_PATH_TITLE_LENGTH);
export const pathDescription = z.string().trim().max(MAX_PATH_DESCRIPTION_LENGTH);

/**
 * The person a learning command is by: a signed-in user, or the owner of the API key that sends
 * it (as everywhere in the communities context). Processes do not author content.
 */
export function authorOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId.toLowerCase();
  if (actor.kind === 'integration') return actor.ownerId.toLowerCase();
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person authors learning content');
}

export const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, index) => id.toLowerCase() === b[index]?.toLowerCase());
