import type { Actor } from '../shared/decider.ts';
import { conflict, forbidden } from '../shared/domain-error.ts';
import type { MediaAsset } from './media-state.ts';

/**
 * Who may do what to an asset. People own what they upload (an API key uploads for its owner);
 * the owner or a platform admin deletes; only the system's processes record uploads and processing.
 */

/** The user an upload belongs to, or a refusal for callers that are nobody's. */
export function uploaderOf(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.userId;
    case 'integration':
      return actor.ownerId;
    default:
      throw forbidden('USER_ONLY', 'Only a signed-in user or their API key can upload media');
  }
}

/** The owner, a platform admin, or a system process; recorded as a user id or `system:<process>`. */
export function deleterOf(asset: MediaAsset, actor: Actor): string {
  switch (actor.kind) {
    case 'system':
      return `system:${actor.process}`;
    case 'user':
      if (actor.userId === asset.ownerId || actor.role === 'admin') return actor.userId;
      break;
    case 'integration':
      if (actor.ownerId === asset.ownerId) return actor.ownerId;
      break;
    case 'anonymous':
      break;
  }
  throw forbidden('NOT_OWNER', 'Only the owner of this media or an admin can delete it');
}

export function requireSystem(actor: Actor, what: string): void {
  if (actor.kind !== 'system') throw forbidden('SYSTEM_ONLY', `Only the system records ${what}`);
}

export const mediaDeleted = () => conflict('MEDIA_DELETED', 'This media was deleted');
