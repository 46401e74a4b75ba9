import { describe, expect, it } from 'vitest';
import type { ContentCommand } from '../../../src/domain/content/content-commands.ts';
import { contentDecider } from '../../../src/domain/content/content-decider.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  ADMIN_ID,
  APPROVER_ID,
  AUTHOR_ID,
  access,
  approved,
  approvedContent,
  approver,
  author,
  brandAdmin,
  brandFacts,
  CONTENT_ID,
  created,
  draft,
  inReview,
  LEGAL,
  now,
  OTHER_EDITOR_ID,
  otherEditor,
  publishFailed,
  publishing,
  rejected,
  SAGA_PROCESS,
  SIGN_OFF,
  saga,
  stepApproved,
  submitted,
  updated,
} from './content-fixtures.ts';

const spec = deciderSpec(contentDecider);

const submit = (steps = [LEGAL, SIGN_OFF]): ContentCommand => ({
  type: 'SubmitContent',
  access: access('editor'),
  brand: brandFacts({ workflow: { steps } }),
});
const approve = (role: 'approver' | 'admin' = 'approver', comment?: string | null): ContentCommand => ({
  type: 'ApproveContent',
  access: access(role),
  ...(comment === undefined ? {} : { comment }),
});
const reject = (
  reason = 'Needs a source for the claim',
  role: 'approver' | 'admin' = 'approver',
): ContentCommand => ({
  type: 'RejectContent',
  reason,
  access: access(role),
});

describe('SubmitContent', () => {
  it("submits the current version with a snapshot of the brand's workflow", () => {
    spec.given(draft()).when(submit(), author).then([submitted()]);
  });

  it('approves at once when the workflow has no steps', () => {
    spec
      .given(draft())
      .when(submit([]), author)
      .then([submitted(1, []), approved(1)]);
    expect(fold(contentDecider, [...draft(), submitted(1, []), approved(1)])).toMatchObject({
      status: 'approved',
    });
  });

  it('submits the latest version', () => {
    spec
      .given([...draft(), updated(2)])
      .when(submit(), author)
      .then([submitted(2)]);
  });

  it.each([
    ['under review', inReview, 'in_review'],
    ['approved', approvedContent, 'approved'],
    ['being published', publishing, 'publishing'],
  ])('refuses content already %s', (_what, history) => {
    spec.given(history()).when(submit(), author).thenThrows('CONFLICT', 'NOT_A_DRAFT');
  });

  it('refuses a version that failed validation or compliance until it is edited', () => {
    for (const stage of ['validate', 'compliance'] as const) {
      const failed = [...publishing(), publishFailed(stage)];
      spec.given(failed).when(submit(), author).thenThrows('CONFLICT', 'EDIT_REQUIRED');
      spec
        .given([...failed, updated(2)])
        .when(submit(), author)
        .then([submitted(2)]);
    }
  });

  it('resubmits after a rejection', () => {
    spec
      .given([...inReview(), rejected()])
      .when(submit(), author)
      .then([submitted()]);
  });
});

describe('ApproveContent', () => {
  it('signs off the current step; the content stays under review until the last one', () => {
    spec
      .given(inReview())
      .when(approve('approver', 'Sources check out'), approver)
      .then([
        {
          type: 'ContentStepApproved',
          data: {
            contentId: CONTENT_ID,
            version: 1,
            step: 0,
            stepName: LEGAL.name,
            approvedBy: APPROVER_ID,
            comment: 'Sources check out',
          },
        },
      ]);
    expect(fold(contentDecider, [...inReview(), stepApproved(0, APPROVER_ID)])).toMatchObject({
      status: 'in_review',
      review: { version: 1, nextStep: 1, approvals: [{ step: 0, approvedBy: APPROVER_ID, comment: null }] },
    });
  });

  it('approves the content with the last step', () => {
    spec
      .given([...inReview(), stepApproved(0, APPROVER_ID)])
      .when(approve('admin'), brandAdmin)
      .then([stepApproved(1, ADMIN_ID), approved(1)]);
  });

  it('lets a brand admin sign off any step', () => {
    spec
      .given(inReview())
      .when(approve('admin'), brandAdmin)
      .then([stepApproved(0, ADMIN_ID)]);
  });

  it('lets the system sign off, as an admin', () => {
    const [event] = contentDecider.decide(approve('admin'), fold(contentDecider, inReview()), saga);
    expect(event).toMatchObject({
      type: 'ContentStepApproved',
      data: { approvedBy: `system:${SAGA_PROCESS}` },
    });
  });

  it("refuses an approver on a step that is an admin's", () => {
    spec
      .given([...inReview(), stepApproved(0, APPROVER_ID)])
      .when(approve('approver'), approver)
      .thenThrows('FORBIDDEN', 'NOT_STEP_APPROVER');
  });

  it('refuses editors', () => {
    spec
      .given(inReview())
      .when({ type: 'ApproveContent', access: access('editor') }, otherEditor)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });

  it("refuses the content's creator, even as a brand admin", () => {
    spec
      .given(inReview())
      .when(approve('admin'), by(asUser(AUTHOR_ID), now))
      .thenThrows('FORBIDDEN', 'SELF_APPROVAL');
  });

  it('refuses the creator even when someone else wrote the version under review', () => {
    spec
      .given([created(), updated(2, undefined, OTHER_EDITOR_ID), submitted(2)])
      .when(approve('approver'), by(asUser(AUTHOR_ID), now))
      .thenThrows('FORBIDDEN', 'SELF_APPROVAL');
  });

  it('refuses the author of the version under review', () => {
    const reviewedEdit = [created(), updated(2, undefined, OTHER_EDITOR_ID), submitted(2)];
    spec
      .given(reviewedEdit)
      .when(approve('approver'), by(asUser(OTHER_EDITOR_ID), now))
      .thenThrows('FORBIDDEN', 'SELF_APPROVAL');
    spec
      .given(reviewedEdit)
      .when(approve('approver'), approver)
      .then([stepApproved(0, APPROVER_ID, 2)]);
  });

  it('refuses content that is not under review', () => {
    spec.given(draft()).when(approve(), approver).thenThrows('CONFLICT', 'NOT_IN_REVIEW');
    spec.given(approvedContent()).when(approve('admin'), brandAdmin).thenThrows('CONFLICT', 'NOT_IN_REVIEW');
  });

  it('keeps the workflow the content was submitted with', () => {
    // Submitted with one step: a single sign-off approves it, whatever the brand's workflow is now.
    spec
      .given([created(), submitted(1, [LEGAL])])
      .when(approve(), approver)
      .then([stepApproved(0, APPROVER_ID), approved(1)]);
  });

  it('stores a blank comment as none and refuses one over 2000 characters', () => {
    spec
      .given(inReview())
      .when(approve('approver', '   '), approver)
      .then([stepApproved(0, APPROVER_ID)]);
    spec
      .given(inReview())
      .when(approve('approver', 'x'.repeat(2001)), approver)
      .thenThrows('VALIDATION', 'INVALID_COMMENT');
  });
});

describe('RejectContent', () => {
  it('sends the content back to draft with the reason', () => {
    spec.given(inReview()).when(reject(), approver).then([rejected()]);
    expect(fold(contentDecider, [...inReview(), rejected()])).toMatchObject({
      status: 'draft',
      review: null,
      lastRejection: { version: 1, step: 0, rejectedBy: APPROVER_ID, reason: 'Needs a source for the claim' },
    });
  });

  it('names the step it was rejected at', () => {
    spec
      .given([...inReview(), stepApproved(0, APPROVER_ID)])
      .when(reject('Off-brand tone', 'admin'), brandAdmin)
      .then([
        {
          type: 'ContentRejected',
          data: {
            contentId: CONTENT_ID,
            version: 1,
            step: 1,
            rejectedBy: ADMIN_ID,
            reason: 'Off-brand tone',
          },
        },
      ]);
  });

  it('needs a reason of 1 to 2000 characters', () => {
    spec.given(inReview()).when(reject('  '), approver).thenThrows('VALIDATION', 'INVALID_REASON');
    spec
      .given(inReview())
      .when(reject('x'.repeat(2001)), approver)
      .thenThrows('VALIDATION', 'INVALID_REASON');
  });

  it('follows the same rules as approving: step role, no self-review, only under review', () => {
    spec
      .given([...inReview(), stepApproved(0, APPROVER_ID)])
      .when(reject(), approver)
      .thenThrows('FORBIDDEN', 'NOT_STEP_APPROVER');
    spec
      .given(inReview())
      .when(reject('Mine', 'admin'), by(asUser(AUTHOR_ID), now))
      .thenThrows('FORBIDDEN', 'SELF_APPROVAL');
    spec.given(draft()).when(reject(), approver).thenThrows('CONFLICT', 'NOT_IN_REVIEW');
    spec
      .given(inReview())
      .when({ type: 'RejectContent', reason: 'No', access: access('editor') }, otherEditor)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });
});
