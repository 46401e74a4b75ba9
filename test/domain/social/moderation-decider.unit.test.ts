import { describe, it } from 'vitest';
import type { ModeratedContent, ModerationCommand } from '../../../src/domain/social/moderation-commands.ts';
import { moderationDecider } from '../../../src/domain/social/moderation-decider.ts';
import type { ModerationEvent } from '../../../src/domain/social/moderation-events.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const AUTHOR = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const READER = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const OTHER = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const MOD = '4d4c3f51-6e70-4182-9d2e-3f4a5b6c7d8e';
const COMMENT = '5e5d4062-7f81-4293-8e3f-4a5b6c7d8e9f';
const now = new Date('2025-06-02T09:30:00.000Z');

const comment: ModeratedContent = { kind: 'comment', id: COMMENT, authorId: AUTHOR, deleted: false };
const target = { targetKind: 'comment' as const, targetId: COMMENT, authorId: AUTHOR };
const reader = by(asUser(READER), now);
const moderator = by(asUser(MOD, 'moderator'), now);

const report = (content: ModeratedContent | null = comment): ModerationCommand => ({
  type: 'ReportContent',
  content,
  reason: 'spam',
});
const hide = (reason = 'Spam links'): ModerationCommand => ({
  type: 'HideContent',
  content: comment,
  reason,
});
const restore: ModerationCommand = { type: 'RestoreContent', content: comment };
const hold: ModerationCommand = { type: 'HoldForReview', content: comment, categories: ['harassment'] };

const reported = (reporterId: string): ModerationEvent => ({
  type: 'ContentReported',
  data: { ...target, reporterId, reason: 'spam' },
});
const hidden = (reason = 'Spam links'): ModerationEvent => ({
  type: 'ContentHidden',
  data: { ...target, moderatorId: MOD, reason },
});
const restored: ModerationEvent = { type: 'ContentRestored', data: { ...target, moderatorId: MOD } };
const dismissed: ModerationEvent = { type: 'ReportsDismissed', data: { ...target, moderatorId: MOD } };
const held: ModerationEvent = {
  type: 'ContentHeldForReview',
  data: { ...target, categories: ['harassment'] },
};

const spec = deciderSpec(moderationDecider);

describe('reporting', () => {
  it('files a report with a reason from the list', () => {
    spec
      .given([])
      .when(report(), reader)
      .then([reported(READER)]);
  });

  it('takes one report per person: a second one, even after a dismissal, changes nothing', () => {
    spec
      .given([reported(READER)])
      .when(report(), reader)
      .thenNothing();
    spec
      .given([reported(READER), dismissed])
      .when(report(), reader)
      .thenNothing();
    spec
      .given([reported(READER)])
      .when(report(), by(asUser(OTHER), now))
      .then([reported(OTHER)]);
  });

  it('files a report for the owner of an API key', () => {
    spec
      .given([])
      .when(report(), by(anIntegration(READER, ['graphql:write']), now))
      .then([reported(READER)]);
  });

  it('refuses reports of missing or deleted content, of one’s own content, and from nobody', () => {
    spec.given([]).when(report(null), reader).thenThrows('NOT_FOUND', 'CONTENT_NOT_FOUND');
    spec
      .given([])
      .when(report({ ...comment, deleted: true }), reader)
      .thenThrows('NOT_FOUND', 'CONTENT_NOT_FOUND');
    spec
      .given([])
      .when(report(), by(asUser(AUTHOR), now))
      .thenThrows('VALIDATION', 'CANNOT_REPORT_OWN');
    spec.given([]).when(report(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(report(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });
});

describe('holding flagged text', () => {
  it('holds visible content once, for the system', () => {
    spec
      .given([])
      .when(hold, by(theSystem('text-moderation'), now))
      .then([held]);
    spec
      .given([held])
      .when(hold, by(theSystem('text-moderation'), now))
      .thenNothing();
    spec
      .given([hidden()])
      .when(hold, by(theSystem('text-moderation'), now))
      .thenNothing();
  });

  it('is not something a user can do', () => {
    spec.given([]).when(hold, reader).thenThrows('FORBIDDEN', 'MODERATORS_ONLY');
  });
});

describe('moderators’ decisions', () => {
  it('hides content with the reason the author is told, once', () => {
    spec
      .given([reported(READER)])
      .when(hide(), moderator)
      .then([hidden()]);
    spec.given([hidden()]).when(hide('Again'), moderator).thenNothing();
    spec
      .given([held])
      .when(hide(), by(asUser(MOD, 'admin'), now))
      .then([hidden()]);
  });

  it('refuses an empty or over-long reason', () => {
    spec.given([]).when(hide('  '), moderator).thenThrows('VALIDATION', 'INVALID_REASON');
    spec
      .given([])
      .when(hide('x'.repeat(501)), moderator)
      .thenThrows('VALIDATION', 'INVALID_REASON');
  });

  it('restores held or hidden content', () => {
    spec.given([held]).when(restore, moderator).then([restored]);
    spec
      .given([reported(READER), hidden()])
      .when(restore, moderator)
      .then([restored]);
  });

  it('dismisses open reports on visible content, and otherwise decides nothing', () => {
    spec
      .given([reported(READER)])
      .when(restore, moderator)
      .then([dismissed]);
    spec
      .given([reported(READER), dismissed])
      .when(restore, moderator)
      .thenNothing();
    spec.given([]).when(restore, moderator).thenNothing();
  });

  it('is for moderators and admins only, never an API key', () => {
    spec
      .given([reported(OTHER)])
      .when(hide(), reader)
      .thenThrows('FORBIDDEN', 'MODERATORS_ONLY');
    spec
      .given([held])
      .when(restore, by(asUser(AUTHOR), now))
      .thenThrows('FORBIDDEN', 'MODERATORS_ONLY');
    spec
      .given([])
      .when(hide(), by(anIntegration(MOD, ['graphql:write']), now))
      .thenThrows('FORBIDDEN', 'MODERATORS_ONLY');
  });
});
