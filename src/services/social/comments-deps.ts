import type pg from 'pg';
import type { TextModerator } from '../../media/moderation/text-moderator.ts';
import type { ServiceDeps } from '../shared/command-context.ts';

/**
 * What likes, comments, shares, reports and moderation need: the command pipeline (its `settle`
 * waits for `social_engagement` and `social_moderation`), the read side (blocks, hidden content,
 * the comment rate), and the text check comments pass through.
 */
export type EngagementDeps = ServiceDeps & {
  pool: pg.Pool;
  textModerator: TextModerator;
  /** Comments one person may post per minute (the flood limit). */
  commentsPerMinute?: number;
  /** The public site share links point to; without it a share's link is a path. */
  publicBaseUrl?: string;
};
