import type pg from 'pg';
import type { LoadDeps } from '../../commands/load-aggregate.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { chatConversationAggregate } from '../../domain/chat/conversation-decider.ts';
import { chatMessageAggregate } from '../../domain/chat/message-decider.ts';
import { chatConversationStream, chatMessageStream } from '../../domain/chat/streams.ts';
import { commentAggregate } from '../../domain/social/comment-decider.ts';
import { commentStream } from '../../domain/social/comment-events.ts';
import type { ModeratedContent } from '../../domain/social/moderation-commands.ts';
import type { ModeratedKind } from '../../domain/social/moderation-values.ts';
import { videoPostStream } from '../../domain/videos/streams.ts';
import { videoPostAggregate } from '../../domain/videos/video-post-decider.ts';

/** A video post as its own stream tells it (the write side's truth); null when there is none. */
export async function videoFacts(deps: LoadDeps, videoId: string) {
  const { state } = await loadAggregate(deps, videoPostAggregate, videoPostStream(videoId));
  return state.status === 'none' ? null : state;
}

/** A comment as its own stream tells it; null when there is none. */
export async function commentFacts(deps: LoadDeps, commentId: string) {
  const { state } = await loadAggregate(deps, commentAggregate, commentStream(commentId));
  return state.status === 'none' ? null : state;
}

/**
 * A video, comment or chat message as a moderation case or a like needs it: who wrote it and whether it is
 * gone. A private video counts as missing for anyone but its owner (they cannot see it), unless
 * the reader is a moderator.
 */
export async function moderatedContent(
  deps: LoadDeps,
  kind: ModeratedKind,
  id: string,
  viewerId: string | null,
  { seesPrivate = false } = {},
): Promise<ModeratedContent | null> {
  if (kind === 'video') {
    const video = await videoFacts(deps, id);
    if (video === null) return null;
    const hiddenFromViewer = !seesPrivate && video.visibility === 'private' && video.ownerId !== viewerId;
    return { kind, id, authorId: video.ownerId, deleted: video.status === 'deleted' || hiddenFromViewer };
  }
  if (kind === 'message') return messageContent(deps, id, seesPrivate ? null : viewerId);
  const comment = await commentFacts(deps, id);
  if (comment === null) return null;
  return { kind, id, authorId: comment.authorId, deleted: comment.status === 'deleted' };
}

/**
 * A chat message as its own stream tells it. Only the members of its conversation may report it:
 * to anyone else (`viewerId` set, not an active member) it is missing, as it is everywhere else.
 */
async function messageContent(
  deps: LoadDeps,
  id: string,
  viewerId: string | null,
): Promise<ModeratedContent | null> {
  const { state: message } = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  if (message.status === 'none') return null;
  if (viewerId !== null) {
    const conversation = chatConversationStream(message.conversationId);
    const { state } = await loadAggregate(deps, chatConversationAggregate, conversation);
    const member = state.status === 'started' && state.members.some((m) => m.userId === viewerId);
    if (!member) return null;
  }
  return { kind: 'message', id, authorId: message.senderId, deleted: message.status === 'deleted' };
}

/**
 * Whether moderators have hidden (or the text check holds) this content, as the read models show
 * it: a comment's own `held` flag counts too, since `social_moderation` may lag behind it.
 */
export async function isHidden(pool: Pick<pg.Pool, 'query'>, kind: ModeratedKind, id: string) {
  const { rowCount } = await pool.query(
    `select 1 from social_hidden where target_kind = $1 and target_id = $2::uuid
     union all
     select 1 from social_comments where $1 = 'comment' and comment_id = $2::uuid and held`,
    [kind, id],
  );
  return (rowCount ?? 0) > 0;
}
