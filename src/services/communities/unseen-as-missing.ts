import { DomainError, notFound } from '../../domain/shared/domain-error.ts';

/**
 * The refusals that mean the caller may not see the community's content at all: it is hidden from
 * them (COMMUNITY_NOT_FOUND), they are not signed in, not a member, or banned. A member whose role
 * lacks a right (MISSING_PERMISSION) already sees the content and keeps that answer.
 */
const UNSEEN = new Set(['COMMUNITY_NOT_FOUND', 'SIGN_IN_REQUIRED', 'NOT_A_MEMBER', 'BANNED']);

/**
 * The community check for an object asked for by its own id (a path, module, checkpoint, attempt),
 * read side or write side alike. Whoever may not see the object's community is told the object
 * does not exist (`missing`, its own NOT_FOUND), exactly as for an id nobody made: otherwise
 * trying ids would tell which exist, and that an invite-only community holds them.
 */
export async function unseenAsMissing<T>(check: Promise<T>, missing: () => DomainError): Promise<T> {
  try {
    return await check;
  } catch (error) {
    if (error instanceof DomainError && UNSEEN.has(error.reason)) throw missing();
    throw error;
  }
}

/** Each learning object's own NOT_FOUND, one wording whether the id is made up or hidden. */
export const pathNotFound = () => notFound('PATH_NOT_FOUND', 'No such learning path');
export const moduleNotFound = () => notFound('MODULE_NOT_FOUND', 'No such learning module');
export const checkpointNotFound = () => notFound('CHECKPOINT_NOT_FOUND', 'No such checkpoint');
export const attemptNotFound = () => notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
