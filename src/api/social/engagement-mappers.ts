import { DELETED_COMMENT_TEXT } from '../../domain/social/comment-values.ts';
import type { CommentRow, ModerationCaseRow, Reader } from './engagement-queries.ts';

/** A comment as GraphQL resolves it; author, replies, likes and revisions are nested resolvers. */
export function toComment(row: CommentRow, reader: Reader) {
  const deleted = row.status === 'deleted';
  const seesModeration = reader.moderator || reader.userId === row.author_id;
  return {
    id: row.comment_id,
    videoId: row.video_id,
    parentId: row.parent_id,
    depth: row.depth,
    authorId: row.author_id,
    body: deleted ? DELETED_COMMENT_TEXT : row.body,
    deleted,
    edited: row.revisions > 0,
    editedAt: row.edited_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    mentions: deleted ? [] : row.mentions,
    likeCount: row.likes,
    replyCount: row.reply_count,
    hiddenReason: seesModeration ? row.hidden_reason : null,
    seesRevisions: seesModeration,
  };
}

export type CommentView = ReturnType<typeof toComment>;

export function toModerationCase(row: ModerationCaseRow) {
  return {
    targetKind: row.target_kind,
    targetId: row.target_id,
    authorId: row.author_id,
    visibility: row.visibility,
    openReports: row.open_reports,
    reasons: Object.entries(row.reasons)
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    heldCategories: row.visibility === 'held' ? row.held_categories : null,
    queuedAt: row.queued_at?.toISOString() ?? null,
    text: row.text,
    decision: row.decision,
    decisionReason: row.decision_reason,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}
