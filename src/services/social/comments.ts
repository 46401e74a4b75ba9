import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { rateLimited } from '../../domain/shared/domain-error.ts';
import type { CommentCommand, Mention } from '../../domain/social/comment-commands.ts';
import { commentAggregate, commentDecider } from '../../domain/social/comment-decider.ts';
import { commentStream } from '../../domain/social/comment-events.ts';
import { commentSettingsAggregate, commentSettingsStream } from '../../domain/social/comment-settings.ts';
import { mentionedUsernames } from '../../domain/social/comment-values.ts';
import { reporterOf } from '../../domain/social/moderation-policy.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from './blocks.ts';
import type { EngagementDeps } from './comments-deps.ts';
import { commentFacts, isHidden, videoFacts } from './moderation-content.ts';
import { holdFlaggedText } from './moderation-hold.ts';

const idempotencyKey = z.string().min(8).max(128).nullish();
/** Loose: the decider's reasons (EMPTY_COMMENT, COMMENT_TOO_LONG) are what a caller usually sees. */
const body = z.string().max(20_000);

export const postCommentInput = z.object({
  videoId: z.uuid(),
  parentId: z.uuid().nullish(),
  body,
  idempotencyKey,
});
export const editCommentInput = z.object({ id: z.uuid(), body, idempotencyKey });
export const commentIdInput = z.object({ id: z.uuid(), idempotencyKey });
export const commentsEnabledInput = z.object({ videoId: z.uuid(), enabled: z.boolean(), idempotencyKey });

export const DEFAULT_COMMENTS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

/**
 * Comments accepted by this process in the last minute, by author: the read model counts what is
 * stored, this counts what is on its way (parallel requests from one flood all read the same count
 * before any is stored). Each entry leaves on failure at once, or a minute after it was stored.
 */
const inFlight = new Map<string, number[]>();

/**
 * Posts a comment or a reply. Everything it depends on is read before deciding: the video and the
 * parent from their own streams, the owner's comment setting, the block list, hidden content. The
 * decider is asked once without appending, so a comment it would refuse is never checked by the
 * text moderator or held; flagged text is held (its moderation case written first) and then posted,
 * so a crash between the two leaves a held case for a comment not yet posted, never visible text
 * that should have been held. The comment's event says it is held too, so its own read model hides
 * it even while the moderation projection lags. A retry with the same idempotency key finishes the job.
 */
export async function postComment(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = postCommentInput.parse(raw);
  const authorId = reporterOf(context.actor);
  const commandId = commandIdFor(context, 'postComment', parsed);
  // The comment id derives from the command id, so a retried request finds what it made.
  const commentId = commandId;
  const existing = await commentFacts(deps, commentId);
  if (existing === null) {
    const command: CommentCommand = {
      type: 'PostComment',
      commentId,
      video: await commentedVideo(deps, parsed.videoId, authorId),
      parentId: parsed.parentId ?? null,
      parent: parsed.parentId ? await parentComment(deps, parsed.parentId, authorId) : null,
      body: parsed.body,
      mentions: await resolveMentions(deps, parsed.body),
    };
    const now = nowFrom(deps);
    commentDecider.decide(command, { status: 'none' }, { actor: context.actor, now });
    const release = await reserveCommentSlot(deps, authorId, now);
    try {
      const held = await holdFlaggedText(
        deps,
        context,
        commandId,
        { kind: 'comment', id: commentId, authorId, deleted: false },
        parsed.body,
      );
      await execute(
        deps,
        commentAggregate,
        commentStream(commentId),
        envelope(context, commandId, now, { ...command, held }),
      );
    } catch (error) {
      release();
      throw error;
    }
    // Stored: the read model counts it from here on, but only once projected, so the slot stays
    // reserved for the rest of the window and then goes (the map never outgrows the last minute).
    setTimeout(release, WINDOW_MS).unref();
  }
  return commentId;
}

/** The author edits; new words pass the same text check (and may be held) as a new comment's. */
export async function editComment(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = editCommentInput.parse(raw);
  const { id } = parsed;
  const commandId = commandIdFor(context, `editComment:${id}`, parsed);
  const loaded = await loadAggregate(deps, commentAggregate, commentStream(id));
  const command: CommentCommand = {
    type: 'EditComment',
    body: parsed.body,
    mentions: await resolveMentions(deps, parsed.body),
  };
  const now = nowFrom(deps);
  const events = commentDecider.decide(command, loaded.state, { actor: context.actor, now });
  let held = false;
  if (events.length > 0 && loaded.state.status !== 'none') {
    const { authorId } = loaded.state;
    held = await holdFlaggedText(
      deps,
      context,
      commandId,
      { kind: 'comment', id, authorId, deleted: false },
      parsed.body,
    );
  }
  await execute(
    deps,
    commentAggregate,
    commentStream(id),
    envelope(context, commandId, now, { ...command, held }),
  );
  return id;
}

export async function deleteComment(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = commentIdInput.parse(raw);
  const { id } = parsed;
  const commandId = commandIdFor(context, `deleteComment:${id}`, parsed);
  const comment = await commentFacts(deps, id);
  const video = comment ? await videoFacts(deps, comment.videoId) : null;
  await execute(
    deps,
    commentAggregate,
    commentStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'DeleteComment',
      videoOwnerId: video?.ownerId ?? null,
    }),
  );
  return id;
}

/** The video's owner turns its comments off or on again. */
export async function setCommentsEnabled(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = commentsEnabledInput.parse(raw);
  const { videoId, enabled } = parsed;
  const commandId = commandIdFor(context, `setCommentsEnabled:${videoId}`, parsed);
  const video = await videoFacts(deps, videoId);
  await execute(
    deps,
    commentSettingsAggregate,
    commentSettingsStream(videoId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'SetCommentsEnabled',
      video: video && { videoId, ownerId: video.ownerId, deleted: video.status === 'deleted' },
      enabled,
    }),
  );
  return videoId;
}

/** A private, hidden or deleted video is no video to a commenter who cannot see it. */
async function commentedVideo(deps: EngagementDeps, videoId: string, authorId: string) {
  const video = await videoFacts(deps, videoId);
  if (video === null) return null;
  const settings = await loadAggregate(deps, commentSettingsAggregate, commentSettingsStream(videoId));
  const unseen =
    (video.visibility === 'private' && video.ownerId !== authorId) ||
    (await isHidden(deps.pool, 'video', videoId));
  return {
    videoId,
    ownerId: video.ownerId,
    deleted: video.status === 'deleted' || unseen,
    commentsOff: settings.state.commentsOff,
    blockedWithOwner: await isBlockedBetween(deps.pool, authorId, video.ownerId),
  };
}

/** The comment replied to, with what decides whether the replier can see it at all. */
async function parentComment(deps: EngagementDeps, parentId: string, replierId: string) {
  const parent = await commentFacts(deps, parentId);
  if (parent === null) return null;
  const { commentId, videoId, rootId, depth } = parent;
  return {
    commentId,
    videoId,
    rootId,
    depth,
    deleted: parent.status === 'deleted',
    hidden: await isHidden(deps.pool, 'comment', commentId),
    blockedWithAuthor: await isBlockedBetween(deps.pool, replierId, parent.authorId),
  };
}

/** `@username`s resolved through the profiles read model; names nobody holds are plain text. */
async function resolveMentions(deps: EngagementDeps, text: string): Promise<Mention[]> {
  const names = mentionedUsernames(text);
  if (names.length === 0) return [];
  const { rows } = await deps.pool.query<{ user_id: string; username: string }>(
    // Usernames are stored lower case, and a forgotten person's is gone from the read model.
    'select user_id, username from social_profiles where username = any($1::text[])',
    [names],
  );
  return rows.map((row) => ({ username: row.username, userId: row.user_id }));
}

/**
 * The flood limit: at most `commentsPerMinute` comments per person per minute, counted over what
 * the read model holds and what this process is posting. Refused before anything is stored.
 */
async function reserveCommentSlot(deps: EngagementDeps, authorId: string, now: Date): Promise<() => void> {
  const limit = deps.commentsPerMinute ?? DEFAULT_COMMENTS_PER_MINUTE;
  const since = now.getTime() - WINDOW_MS;
  const { rows } = await deps.pool.query<{ count: number; oldest: Date | null }>(
    `select count(*)::int as count, min(created_at) as oldest from social_comments
      where author_id = $1::uuid and created_at > $2`,
    [authorId, new Date(since)],
  );
  const stored = rows[0]?.count ?? 0;
  const pending = (inFlight.get(authorId) ?? []).filter((at) => at > since);
  if (Math.max(stored, pending.length) >= limit) {
    const oldest = Math.min(rows[0]?.oldest?.getTime() ?? Number.POSITIVE_INFINITY, ...pending);
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + WINDOW_MS - now.getTime()) / 1_000));
    throw rateLimited('COMMENT_RATE_LIMITED', `At most ${limit} comments a minute`, {
      limit,
      retryAfterSeconds,
    });
  }
  const at = now.getTime();
  inFlight.set(authorId, [...pending, at]);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // One entry goes, even when two comments were reserved in the same millisecond.
    const entries = inFlight.get(authorId) ?? [];
    const index = entries.indexOf(at);
    const left = entries.filter((_, position) => position !== index);
    if (left.length === 0) inFlight.delete(authorId);
    else inFlight.set(authorId, left);
  };
}
