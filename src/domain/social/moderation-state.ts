import type { ModerationEvent } from './moderation-events.ts';
import type { ModeratedKind } from './moderation-values.ts';

export interface ModerationCase {
  status: 'open';
  targetKind: ModeratedKind;
  targetId: string;
  authorId: string;
  /** Who has reported it since the last decision; a second report by one of them adds nothing. */
  reporters: readonly string[];
  /** Everyone who ever reported it, so a dismissed report is not filed again by the same person. */
  everReported: readonly string[];
  visibility: 'visible' | 'held' | 'hidden';
}

export type ModerationState = { status: 'none' } | ModerationCase;

export const initialModerationState: ModerationState = { status: 'none' };

export function evolveModeration(state: ModerationState, event: ModerationEvent): ModerationState {
  const { targetKind, targetId, authorId } = event.data;
  const current: ModerationCase =
    state.status === 'none'
      ? {
          status: 'open',
          targetKind,
          targetId,
          authorId,
          reporters: [],
          everReported: [],
          visibility: 'visible',
        }
      : state;
  switch (event.type) {
    case 'ContentReported':
      return {
        ...current,
        reporters: [...current.reporters, event.data.reporterId],
        everReported: [...current.everReported, event.data.reporterId],
      };
    case 'ContentHeldForReview':
      return { ...current, visibility: 'held' };
    case 'ContentHidden':
      return { ...current, visibility: 'hidden', reporters: [] };
    case 'ContentRestored':
      return { ...current, visibility: 'visible', reporters: [] };
    case 'ReportsDismissed':
      return { ...current, reporters: [] };
    default:
      return state;
  }
}
