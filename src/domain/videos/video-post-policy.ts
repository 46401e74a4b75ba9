import { recordedAs } from '../brands/brand-access.ts';
import type { Actor } from '../shared/decider.ts';
import { forbidden } from '../shared/domain-error.ts';
import type { VideoPost } from './video-state.ts';

/**
 * Who may act on video posts. A post belongs to a person: the user who posts it, or the owner of
 * the API key that does. Editing and deleting are for that person and for platform admins; the
 * system's own processes (moderation, clean-up) count as admins, as they do for brands. Platform
 * moderators may also delete any post (the Breiq seed's `delete:any:video`), never edit one: they
 * take a video down, they do not put words in its owner's mouth.
 */

/** The person a new post will belong to. */
export function posterOf(actor: Actor): string {
  if (actor.kind === 'system') throw forbidden('PEOPLE_ONLY', 'Only a person posts videos');
  return recordedAs(actor);
}

/** `by` as recorded on the event, when the actor may change this post. */
export function requireOwnerOrAdmin(post: VideoPost, actor: Actor, action: string): string {
  const by = recordedAs(actor);
  const admin = actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'admin');
  if (by !== post.ownerId && !admin) {
    throw forbidden('NOT_VIDEO_OWNER', `Only the video's owner or an admin can ${action}`);
  }
  return by;
}

/** `by` as recorded on the event, when the actor may delete this post: its owner, an admin or a moderator. */
export function requireDeleter(post: VideoPost, actor: Actor): string {
  if (actor.kind === 'user' && actor.role === 'moderator') return actor.userId;
  return requireOwnerOrAdmin(post, actor, 'delete it');
}

/**
 * Whether a reader with the post's id may watch it: unlisted posts are for anyone who has the id,
 * private ones for their owner and admins. Lists and search are narrower (public posts only, plus
 * the reader's own).
 */
export function canWatch(
  post: { ownerId: string; visibility: string },
  viewer: { userId: string | null; admin: boolean },
): boolean {
  return post.visibility !== 'private' || viewer.admin || viewer.userId === post.ownerId;
}
