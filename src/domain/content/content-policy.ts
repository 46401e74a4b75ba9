import { atLeast, recordedAs } from '../brands/brand-access.ts';
import type { BrandRole } from '../brands/brand-values.ts';
import type { Actor } from '../shared/decider.ts';
import { conflict, forbidden } from '../shared/domain-error.ts';
import type { ContentAccess } from './content-commands.ts';
import type { Content } from './content-state.ts';

/**
 * The write side of the brand's access policy for content. Viewers only read; editors, approvers
 * and admins write; approvers and admins review and publish. Checks run in a fixed order (who you
 * are, then what the brand allows, then what the content allows) so errors are predictable.
 */

/** A member of a live brand, recorded as `by`. */
export function admit(access: ContentAccess, actor: Actor): { by: string; role: BrandRole } {
  if (access.role === null)
    throw forbidden('NOT_A_MEMBER', 'Only members of the brand can act on its content');
  if (access.brandArchived) throw conflict('BRAND_ARCHIVED', 'The brand is archived');
  return { by: recordedAs(actor), role: access.role };
}

/** `admit`, on content that still accepts commands. */
export function admitTo(
  content: Content,
  access: ContentAccess,
  actor: Actor,
): { by: string; role: BrandRole } {
  const admitted = admit(access, actor);
  if (content.status === 'archived') throw conflict('CONTENT_ARCHIVED', 'This content is archived');
  return admitted;
}

export function requireRole(role: BrandRole, required: BrandRole, action: string): void {
  if (!atLeast(role, required)) {
    throw forbidden('INSUFFICIENT_ROLE', `Only a brand ${required} or above can ${action}`, {
      role,
      required,
    });
  }
}

/** Edits make a new version; only content that is not under review, in flight or live is edited. */
export function requireEditable(content: Content): void {
  switch (content.status) {
    case 'in_review':
      throw conflict('IN_REVIEW', 'Content under review cannot be edited; reject it first');
    case 'scheduled':
    case 'publishing':
      throw conflict('PUBLICATION_IN_PROGRESS', 'Content being published cannot be edited; cancel first');
    case 'published':
      throw conflict('CONTENT_PUBLISHED', 'Published content cannot be edited; unpublish it first');
    default:
      return;
  }
}

/** Four eyes: the content's creator and the author of the version under review never sign it off. */
export function requireNotOwn(content: Content, by: string, reviewedAuthor: string | undefined): void {
  if (by === content.createdBy || by === reviewedAuthor) {
    throw forbidden('SELF_APPROVAL', 'Nobody reviews their own content');
  }
}

/** Saga commands: only the system's processes record publication progress. */
export function requireSystem(actor: Actor): void {
  if (actor.kind !== 'system') throw forbidden('SYSTEM_ONLY', 'Only the publishing process records this');
}
