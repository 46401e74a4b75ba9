import type { ModeratedKind, ReportReason } from './moderation-values.ts';

/**
 * The content a case is about, as the service read it from the content's own stream before
 * deciding (a decider sees only its own stream). Null when there is no such content.
 */
export interface ModeratedContent {
  kind: ModeratedKind;
  id: string;
  authorId: string;
  /** Deleted content cannot be reported; it is already gone from every list. */
  deleted: boolean;
}

export type ModerationCommand =
  | { type: 'ReportContent'; content: ModeratedContent | null; reason: ReportReason }
  | { type: 'HoldForReview'; content: ModeratedContent; categories: readonly string[] }
  | { type: 'HideContent'; content: ModeratedContent | null; reason: string }
  | { type: 'RestoreContent'; content: ModeratedContent | null };
