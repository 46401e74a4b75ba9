import { uuidv5 } from '../../commands/event-ids.ts';
import type { ModeratedContent } from '../../domain/social/moderation-commands.ts';
import { moderationAggregate } from '../../domain/social/moderation-decider.ts';
import { moderationCaseStream } from '../../domain/social/moderation-events.ts';
import { envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { EngagementDeps } from './comments-deps.ts';

const HOLD_NAMESPACE = '5a0e7c44-2f1b-4d8a-b3c6-9e0f1a2b3c4d';

/**
 * Runs the text check on words about to be posted and, when it flags them, holds the content for
 * the moderators' queue (recorded by the system, caused by the author's command). Chat messages
 * and community posts hold their text the same way.
 */
export async function holdFlaggedText(
  deps: EngagementDeps,
  context: RequestContext,
  causingCommandId: string,
  content: ModeratedContent,
  text: string,
): Promise<boolean> {
  const verdict = await deps.textModerator.moderateText(text);
  if (!verdict.flagged) return false;
  deps.log.info(
    {
      targetKind: content.kind,
      targetId: content.id,
      checker: verdict.checker,
      categories: verdict.categories,
    },
    'text held for review',
  );
  await execute(
    deps,
    moderationAggregate,
    moderationCaseStream(content.id),
    envelope(
      context,
      uuidv5(`hold:${causingCommandId}`, HOLD_NAMESPACE),
      nowFrom(deps),
      { type: 'HoldForReview', content, categories: verdict.categories },
      { kind: 'system', process: 'text-moderation' },
    ),
  );
  return true;
}
