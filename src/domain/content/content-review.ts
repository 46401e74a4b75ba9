import { atLeast } from '../brands/brand-access.ts';
import type { WorkflowStep } from '../brands/brand-values.ts';
import { validOr } from '../brands/validate.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden } from '../shared/domain-error.ts';
import type { ContentUserCommand } from './content-commands.ts';
import type { ContentEvent } from './content-events.ts';
import { admitTo, requireNotOwn, requireRole } from './content-policy.ts';
import { type Content, type Review, versionOf } from './content-state.ts';
import { rejectionReason, reviewComment } from './content-values.ts';

type CommandOf<Type extends ContentUserCommand['type']> = Extract<ContentUserCommand, { type: Type }>;

/**
 * Submits the current version for review against the brand's workflow as it is now. A workflow
 * without steps approves at once.
 */
export function submitContent(
  command: CommandOf<'SubmitContent'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'editor', 'submit content for review');
  if (content.status !== 'draft') {
    throw conflict('NOT_A_DRAFT', 'Only a draft can be submitted for review', { status: content.status });
  }
  const failure = content.lastPublishFailure;
  if (failure && failure.stage !== 'channels' && failure.version === content.version) {
    throw conflict(
      'EDIT_REQUIRED',
      'This version failed publishing checks; edit it before submitting again',
      {
        stage: failure.stage,
      },
    );
  }
  const { contentId, version } = content;
  const steps = command.brand.workflow.steps.map(({ name, role: stepRole }) => ({ name, role: stepRole }));
  const submitted: ContentEvent = {
    type: 'ContentSubmitted',
    data: { contentId, version, submittedBy: by, steps },
  };
  if (steps.length > 0) return [submitted];
  return [submitted, { type: 'ContentApproved', data: { contentId, version } }];
}

/** Signs off the current step; signing off the last one approves the content. */
export function approveContent(
  command: CommandOf<'ApproveContent'>,
  content: Content,
  context: DecisionContext,
): ContentEvent[] {
  const { by, review, step, index } = reviewer(content, command.access, context, 'approve');
  const comment = validOr(reviewComment, command.comment ?? '', 'INVALID_COMMENT', 'comment').trim() || null;
  const { contentId } = content;
  const { version } = review;
  const events: ContentEvent[] = [
    {
      type: 'ContentStepApproved',
      data: { contentId, version, step: index, stepName: step.name, approvedBy: by, comment },
    },
  ];
  if (index + 1 === review.steps.length)
    events.push({ type: 'ContentApproved', data: { contentId, version } });
  return events;
}

/** Sends the content back to draft, with a reason the author can act on. */
export function rejectContent(
  command: CommandOf<'RejectContent'>,
  content: Content,
  context: DecisionContext,
): ContentEvent[] {
  const { by, review, index } = reviewer(content, command.access, context, 'reject');
  const reason = validOr(rejectionReason, command.reason, 'INVALID_REASON', 'rejection reason');
  return [
    {
      type: 'ContentRejected',
      data: { contentId: content.contentId, version: review.version, step: index, rejectedBy: by, reason },
    },
  ];
}

/**
 * Who may sign off the step under review: an approver or admin, holding at least the step's role,
 * who neither created the content nor wrote the version under review.
 */
function reviewer(
  content: Content,
  access: CommandOf<'ApproveContent'>['access'],
  { actor }: DecisionContext,
  action: 'approve' | 'reject',
): { by: string; review: Review; step: WorkflowStep; index: number } {
  const { by, role } = admitTo(content, access, actor);
  requireRole(role, 'approver', `${action} content`);
  const review = content.review;
  const step = review?.steps[review.nextStep];
  if (content.status !== 'in_review' || !review || !step) {
    throw conflict('NOT_IN_REVIEW', 'This content is not under review', { status: content.status });
  }
  if (!atLeast(role, step.role)) {
    throw forbidden('NOT_STEP_APPROVER', `Step "${step.name}" is signed off by a brand ${step.role}`, {
      step: review.nextStep,
      required: step.role,
    });
  }
  requireNotOwn(content, by, versionOf(content, review.version)?.authorId);
  return { by, review, step, index: review.nextStep };
}
