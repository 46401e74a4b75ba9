import { z } from 'zod';
import { actorId } from '../../domain/shared/decider.ts';
import type { ModerationCommand } from '../../domain/social/moderation-commands.ts';
import { moderationAggregate } from '../../domain/social/moderation-decider.ts';
import { moderationCaseStream } from '../../domain/social/moderation-events.ts';
import { MODERATED_KINDS, REPORT_REASONS } from '../../domain/social/moderation-values.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { EngagementDeps } from './comments-deps.ts';
import { moderatedContent } from './moderation-content.ts';

const idempotencyKey = z.string().min(8).max(128).nullish();
const target = { targetKind: z.enum(MODERATED_KINDS), targetId: z.uuid() };

export const reportInput = z.object({ ...target, reason: z.enum(REPORT_REASONS), idempotencyKey });
export const hideInput = z.object({ ...target, reason: z.string().max(2_000), idempotencyKey });
export const restoreInput = z.object({ ...target, idempotencyKey });

/** Anyone signed in reports a video or comment once, with a reason from the list. */
export async function reportContent(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = reportInput.parse(raw);
  const viewer = context.actor.kind === 'user' ? context.actor.userId : null;
  return decide(deps, context, parsed, 'reportContent', async () => ({
    type: 'ReportContent',
    content: await moderatedContent(deps, parsed.targetKind, parsed.targetId, viewer),
    reason: parsed.reason,
  }));
}

/** A moderator hides content from every list, count and search; the author is told `reason`. */
export async function hideContent(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = hideInput.parse(raw);
  return decide(deps, context, parsed, 'hideContent', async () => ({
    type: 'HideContent',
    content: await moderatedContent(deps, parsed.targetKind, parsed.targetId, null, { seesPrivate: true }),
    reason: parsed.reason,
  }));
}

/** A moderator restores held or hidden content, or dismisses the open reports on visible content. */
export async function restoreContent(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = restoreInput.parse(raw);
  return decide(deps, context, parsed, 'restoreContent', async () => ({
    type: 'RestoreContent',
    content: await moderatedContent(deps, parsed.targetKind, parsed.targetId, null, { seesPrivate: true }),
  }));
}

async function decide(
  deps: EngagementDeps,
  context: RequestContext,
  parsed: z.infer<typeof restoreInput>,
  operation: string,
  command: () => Promise<ModerationCommand>,
) {
  const { targetKind, targetId } = parsed;
  const commandId = commandIdFor(context, `${operation}:${targetKind}:${targetId}`, parsed);
  const decided = await command();
  const result = await execute(
    deps,
    moderationAggregate,
    moderationCaseStream(targetId),
    envelope(context, commandId, nowFrom(deps), decided),
  );
  if (operation !== 'reportContent') {
    deps.log.info(
      {
        operation,
        targetKind,
        targetId,
        by: actorId(context.actor),
        decided: result.events.map((e) => e.type),
      },
      'moderation decision',
    );
  }
  // The decider refused missing content, so there is an author here.
  return { targetKind, targetId, authorId: decided.content?.authorId ?? '' };
}
