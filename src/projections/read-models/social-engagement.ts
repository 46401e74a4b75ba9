import type { EventCodec } from '../../commands/event-codec.ts';
import { type CommentEvent, commentEventCatalogue } from '../../domain/social/comment-events.ts';
import {
  type CommentSettingsEvent,
  commentSettingsEventCatalogue,
} from '../../domain/social/comment-settings.ts';
import { type LikeEvent, likeEventCatalogue } from '../../domain/social/like-events.ts';
import { moderationEventCatalogue } from '../../domain/social/moderation-events.ts';
import { type ShareEvent, shareEventCatalogue } from '../../domain/social/share-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

const catalogues = [
  likeEventCatalogue,
  commentEventCatalogue,
  commentSettingsEventCatalogue,
  shareEventCatalogue,
] as const;

/**
 * Likes, comments, shares and the per-minute activity trending ranks by.
 *
 * Counts are sums of events kept by this projection (`social_counts`), never a counter a command
 * bumps: the projector is their only writer, a batch of 500 likes of one video is one row write,
 * and a rebuild from the log gives the same numbers. Comment counts are not stored: they are
 * counted when read, so a comment hidden by moderators (`social_hidden`) drops out at once.
 *
 * A comment the text check flagged carries `held` on its own row, from its CommentPosted or
 * CommentEdited, so it is hidden from others even while `social_moderation` (whose `social_hidden`
 * row holds it too) lags behind, in another projector group or isolated after a failure. Only a
 * moderator's ContentRestored releases it, so that one moderation event is handled here as well.
 *
 * `social_video_activity` holds likes, comments and shares per video per minute: trending sums a
 * sliding window of it, live, instead of caching a ranking.
 */
export function socialEngagementProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'social_engagement',
    // 2: comments indexed by video and time, replies included, for videoCommentAdded.
    // 3: comments' `held` column.
    // 4: rebuilt, as per-minute activity written by earlier versions could miss counts in a batch.
    version: 4,
    eventTypes: [...catalogues.flatMap((catalogue) => Object.keys(catalogue)), 'ContentRestored'],
    tables: {
      social_likes: {
        columns: `target_kind text not null, target_id uuid not null, user_id uuid not null,
          author_id uuid not null, liked_at timestamptz not null`,
        primaryKey: ['target_kind', 'target_id', 'user_id'],
        indexes: ['(user_id, target_kind, liked_at desc, target_id desc)'],
      },
      social_counts: {
        columns: `target_kind text not null, target_id uuid not null, likes int not null, shares int not null,
          updated_at timestamptz not null`,
        primaryKey: ['target_kind', 'target_id'],
      },
      social_share_counts: {
        columns: 'video_id uuid not null, platform text not null, shares int not null',
        primaryKey: ['video_id', 'platform'],
      },
      social_shares: {
        columns: `share_id uuid not null, video_id uuid not null, sharer_id uuid not null, platform text not null,
          shared_at timestamptz not null`,
        primaryKey: ['share_id'],
      },
      social_comments: {
        columns: `comment_id uuid not null, video_id uuid not null, parent_id uuid, root_id uuid not null,
          depth int not null, author_id uuid not null, body text not null, mentions jsonb not null,
          status text not null, held boolean not null, revisions int not null, reply_count int not null,
          created_at timestamptz not null, edited_at timestamptz, deleted_at timestamptz`,
        primaryKey: ['comment_id'],
        indexes: [
          '(video_id, created_at desc, comment_id desc) where parent_id is null',
          '(video_id, created_at, comment_id)',
          '(parent_id, created_at, comment_id)',
          '(author_id, created_at desc)',
        ],
      },
      social_comment_revisions: {
        columns:
          'comment_id uuid not null, revision int not null, body text not null, replaced_at timestamptz not null',
        primaryKey: ['comment_id', 'revision'],
      },
      social_comment_settings: {
        columns: 'video_id uuid not null, comments_off boolean not null, updated_at timestamptz not null',
        primaryKey: ['video_id'],
      },
      social_video_activity: {
        columns: `video_id uuid not null, minute timestamptz not null, likes int not null, comments int not null,
          shares int not null`,
        primaryKey: ['video_id', 'minute'],
        indexes: ['(minute)'],
      },
    },
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      const like = await codec.decode(likeEventCatalogue, recorded);
      if (like) return applyLike(like.event, writer, at);
      const comment = await codec.decode(commentEventCatalogue, recorded);
      if (comment) return applyComment(comment.event, writer, at);
      const settings = await codec.decode(commentSettingsEventCatalogue, recorded);
      if (settings) return applySettings(settings.event, writer, at);
      const share = await codec.decode(shareEventCatalogue, recorded);
      if (share) return applyShare(share.event, writer, at);
      const moderation = await codec.decode(moderationEventCatalogue, recorded);
      if (moderation?.event.type === 'ContentRestored' && moderation.event.data.targetKind === 'comment') {
        return releaseHold(moderation.event.data.targetId, writer);
      }
    },
    prefetch: (events) => events.flatMap(prefetchOf),
  };
}

/** The rows a like, comment or share will add to: read for the whole batch in one query per table. */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return [];
  const field = (name: string) => {
    const value = Reflect.get(data, name);
    return typeof value === 'string' ? value : null;
  };
  const targetKind = field('targetKind');
  const targetId = field('targetId');
  if (targetKind !== null && targetId !== null) {
    return [{ table: 'social_counts', key: { target_kind: targetKind, target_id: targetId } }];
  }
  const parentId = field('parentId');
  if (recorded.type === 'CommentPosted' && parentId !== null) {
    return [{ table: 'social_comments', key: { comment_id: parentId } }];
  }
  const videoId = field('videoId');
  if (recorded.type === 'VideoShared' && videoId !== null) {
    return [{ table: 'social_counts', key: { target_kind: 'video', target_id: videoId } }];
  }
  return [];
}

const minuteOf = (at: string) => {
  const instant = new Date(at);
  instant.setUTCSeconds(0, 0);
  return instant.toISOString();
};

async function addCounts(
  writer: ReadModelWriter,
  targetKind: string,
  targetId: string,
  change: { likes?: number; shares?: number },
  at: string,
) {
  const key = { target_kind: targetKind, target_id: targetId };
  const row = (await writer.get('social_counts', key)) ?? { ...key, likes: 0, shares: 0 };
  writer.upsert('social_counts', {
    ...row,
    likes: Number(row.likes) + (change.likes ?? 0),
    shares: Number(row.shares) + (change.shares ?? 0),
    updated_at: at,
  });
}

/** Activity only grows: an unlike is not negative engagement, it is the absence of a like's weight. */
async function addActivity(
  writer: ReadModelWriter,
  videoId: string,
  change: { likes?: number; comments?: number; shares?: number },
  at: string,
) {
  const key = { video_id: videoId, minute: minuteOf(at) };
  const row = (await writer.get('social_video_activity', key)) ?? {
    ...key,
    likes: 0,
    comments: 0,
    shares: 0,
  };
  writer.upsert('social_video_activity', {
    ...row,
    likes: Math.max(0, Number(row.likes) + (change.likes ?? 0)),
    comments: Number(row.comments) + (change.comments ?? 0),
    shares: Number(row.shares) + (change.shares ?? 0),
  });
}

async function applyLike(event: LikeEvent, writer: ReadModelWriter, at: string) {
  const { userId, targetKind, targetId, authorId } = event.data;
  const key = { target_kind: targetKind, target_id: targetId, user_id: userId };
  if (event.type === 'ContentLiked') {
    writer.upsert('social_likes', { ...key, author_id: authorId, liked_at: at });
    await addCounts(writer, targetKind, targetId, { likes: 1 }, at);
    if (targetKind === 'video') await addActivity(writer, targetId, { likes: 1 }, at);
    return;
  }
  writer.delete('social_likes', key);
  await addCounts(writer, targetKind, targetId, { likes: -1 }, at);
}

async function applyComment(event: CommentEvent, writer: ReadModelWriter, at: string) {
  const { commentId } = event.data;
  switch (event.type) {
    case 'CommentPosted': {
      const { videoId, parentId, rootId, depth, authorId, body, mentions } = event.data;
      writer.upsert('social_comments', {
        comment_id: commentId,
        video_id: videoId,
        parent_id: parentId,
        root_id: rootId,
        depth,
        author_id: authorId,
        body,
        mentions,
        status: 'active',
        held: event.data.held === true,
        revisions: 0,
        reply_count: 0,
        created_at: at,
        edited_at: null,
        deleted_at: null,
      });
      if (parentId !== null) {
        const parent = await writer.get('social_comments', { comment_id: parentId });
        if (parent) {
          await writer.update(
            'social_comments',
            { comment_id: parentId },
            {
              reply_count: Number(parent.reply_count) + 1,
            },
          );
        }
      }
      await addActivity(writer, videoId, { comments: 1 }, at);
      return;
    }
    case 'CommentEdited': {
      const current = await writer.get('social_comments', { comment_id: commentId });
      if (!current) return;
      const revision = Number(current.revisions) + 1;
      writer.upsert('social_comment_revisions', {
        comment_id: commentId,
        revision,
        body: current.body,
        replaced_at: at,
      });
      await writer.update(
        'social_comments',
        { comment_id: commentId },
        {
          body: event.data.body,
          mentions: event.data.mentions,
          revisions: revision,
          edited_at: at,
          // New flagged words hold the comment; unflagged ones leave an earlier hold to the moderators.
          ...(event.data.held === true ? { held: true } : {}),
        },
      );
      return;
    }
    case 'CommentDeleted': {
      // The words leave the read model (and their earlier revisions); the row stays as the tombstone
      // its replies hang from.
      const current = await writer.get('social_comments', { comment_id: commentId });
      for (let revision = 1; revision <= Number(current?.revisions ?? 0); revision++) {
        writer.delete('social_comment_revisions', { comment_id: commentId, revision });
      }
      await writer.update(
        'social_comments',
        { comment_id: commentId },
        { status: 'deleted', body: '', mentions: [], deleted_at: at },
      );
      return;
    }
  }
}

/** A moderator restored the comment: it shows again (a restore before the comment is stored has no row to change). */
function releaseHold(commentId: string, writer: ReadModelWriter) {
  return writer.update('social_comments', { comment_id: commentId }, { held: false });
}

function applySettings(event: CommentSettingsEvent, writer: ReadModelWriter, at: string) {
  writer.upsert('social_comment_settings', {
    video_id: event.data.videoId,
    comments_off: event.type === 'CommentsTurnedOff',
    updated_at: at,
  });
}

async function applyShare(event: ShareEvent, writer: ReadModelWriter, at: string) {
  const { shareId, videoId, sharerId, platform } = event.data;
  writer.upsert('social_shares', {
    share_id: shareId,
    video_id: videoId,
    sharer_id: sharerId,
    platform,
    shared_at: at,
  });
  const key = { video_id: videoId, platform };
  const row = await writer.get('social_share_counts', key);
  writer.upsert('social_share_counts', { ...key, shares: Number(row?.shares ?? 0) + 1 });
  await addCounts(writer, 'video', videoId, { shares: 1 }, at);
  await addActivity(writer, videoId, { shares: 1 }, at);
}
