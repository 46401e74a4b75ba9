import { validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { notFound, validation } from '../shared/domain-error.ts';
import type { ModeratedContent, ModerationCommand } from './moderation-commands.ts';
import { type ModerationEvent, moderationEventCatalogue } from './moderation-events.ts';
import { moderatorOf, reporterOf } from './moderation-policy.ts';
import { evolveModeration, initialModerationState, type ModerationState } from './moderation-state.ts';
import { decisionReason, flaggedCategories } from './moderation-values.ts';

type CommandOf<Type extends ModerationCommand['type']> = Extract<ModerationCommand, { type: Type }>;

/**
 * A moderation case: reports come in, the text check may hold the content, moderators hide,
 * restore or dismiss. Each decision closes the reports open at the time, so the queue holds only
 * cases nobody has looked at since they were reported (or held).
 */
export const moderationDecider: Decider<ModerationCommand, ModerationEvent, ModerationState> = {
  initialState: initialModerationState,
  evolve: evolveModeration,
  decide(command, state, context) {
    switch (command.type) {
      case 'ReportContent':
        return reportContent(command, state, context);
      case 'HoldForReview':
        return holdForReview(command, state, context);
      case 'HideContent':
        return hideContent(command, state, context);
      case 'RestoreContent':
        return restoreContent(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown moderation command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const moderationAggregate = { decider: moderationDecider, catalogue: moderationEventCatalogue };

const targetOf = (content: ModeratedContent) => ({
  targetKind: content.kind,
  targetId: content.id,
  authorId: content.authorId,
});

function existing(content: ModeratedContent | null): ModeratedContent {
  if (content === null || content.deleted) {
    throw notFound('CONTENT_NOT_FOUND', 'No such video or comment');
  }
  return content;
}

/** One report per person and case: reporting again, even after a dismissal, decides nothing. */
function reportContent(
  command: CommandOf<'ReportContent'>,
  state: ModerationState,
  { actor }: DecisionContext,
): ModerationEvent[] {
  const reporterId = reporterOf(actor);
  const content = existing(command.content);
  if (content.authorId === reporterId) {
    throw validation('CANNOT_REPORT_OWN', 'You cannot report your own content');
  }
  if (state.status === 'open' && state.everReported.includes(reporterId)) return [];
  return [{ type: 'ContentReported', data: { ...targetOf(content), reporterId, reason: command.reason } }];
}

/** Held once: a later edit that is flagged again leaves it held, waiting for the same review. */
function holdForReview(
  command: CommandOf<'HoldForReview'>,
  state: ModerationState,
  { actor }: DecisionContext,
): ModerationEvent[] {
  moderatorOf(actor);
  if (state.status === 'open' && state.visibility !== 'visible') return [];
  const categories = validOr(flaggedCategories, command.categories, 'INVALID_CATEGORIES', 'categories');
  return [{ type: 'ContentHeldForReview', data: { ...targetOf(command.content), categories } }];
}

function hideContent(
  command: CommandOf<'HideContent'>,
  state: ModerationState,
  { actor }: DecisionContext,
): ModerationEvent[] {
  const moderatorId = moderatorOf(actor);
  const content = existing(command.content);
  const reason = validOr(decisionReason, command.reason, 'INVALID_REASON', 'reason');
  if (state.status === 'open' && state.visibility === 'hidden') return [];
  return [{ type: 'ContentHidden', data: { ...targetOf(content), moderatorId, reason } }];
}

/**
 * Restoring puts held or hidden content back; on visible content with open reports it dismisses
 * them; otherwise there is nothing to decide.
 */
function restoreContent(
  command: CommandOf<'RestoreContent'>,
  state: ModerationState,
  { actor }: DecisionContext,
): ModerationEvent[] {
  const moderatorId = moderatorOf(actor);
  const content = existing(command.content);
  if (state.status === 'none') return [];
  if (state.visibility !== 'visible') {
    return [{ type: 'ContentRestored', data: { ...targetOf(content), moderatorId } }];
  }
  if (state.reporters.length > 0) {
    return [{ type: 'ReportsDismissed', data: { ...targetOf(content), moderatorId } }];
  }
  return [];
}
