import { z } from 'zod';

/** What can be reported and hidden: on the video platform, and messages in chat conversations. */
export const MODERATED_KINDS = ['video', 'comment', 'message'] as const;
export type ModeratedKind = (typeof MODERATED_KINDS)[number];
export const moderatedKind = z.enum(MODERATED_KINDS);

/**
 * Why a person reports something: a fixed list, so the queue can be sorted and counted by reason
 * and a report never carries free text about a third person.
 */
export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'sexual',
  'violence',
  'self_harm',
  'misinformation',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export const reportReason = z.enum(REPORT_REASONS);

/** What a moderator tells the author when hiding their content: shown to the author as written. */
export const MAX_DECISION_REASON_LENGTH = 500;
export const decisionReason = z.string().trim().min(1).max(MAX_DECISION_REASON_LENGTH);

/** Category names a text check flagged (e.g. `harassment`, `hate/threatening`). */
export const flaggedCategories = z.array(z.string().min(1).max(64)).min(1).max(32);
