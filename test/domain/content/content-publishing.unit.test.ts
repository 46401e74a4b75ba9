import { describe, expect, it } from 'vitest';
import type { ContentCommand, ContentSagaCommand } from '../../../src/domain/content/content-commands.ts';
import { contentDecider } from '../../../src/domain/content/content-decider.ts';
import type { ContentEvent } from '../../../src/domain/content/content-events.ts';
import type { DeliveryFailure } from '../../../src/domain/content/content-values.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  ADMIN_ID,
  APPROVER_ID,
  AUTHOR_ID,
  access,
  anHourAgo,
  answered,
  approved,
  approvedContent,
  approver,
  author,
  brandAdmin,
  brandFacts,
  CONTENT_ID,
  channelFailed,
  channelPublished,
  channels,
  channelUnpublished,
  deliveryAttempted,
  draft,
  FEED_CHANNEL_ID,
  feed,
  generatedMetadata,
  inAnHour,
  inReview,
  metadataGenerated,
  metadataReverted,
  NEXT_PUBLICATION_ID,
  now,
  PUBLICATION_ID,
  publishCancelled,
  published,
  publishedContent,
  publishFailed,
  publishing,
  publishRequested,
  publishStarted,
  saga,
  scheduled,
  stakeholdersNotified,
  stepApproved,
  stepRecorded,
  submitted,
  unpublished,
  updated,
  v1,
  WEBHOOK_CHANNEL_ID,
  webhook,
} from './content-fixtures.ts';

const spec = deciderSpec(contentDecider);

type CommandOf<Type extends ContentCommand['type']> = Extract<ContentCommand, { type: Type }>;

const request = (publishAt?: string | null, publicationId = PUBLICATION_ID): CommandOf<'RequestPublish'> => ({
  type: 'RequestPublish',
  publicationId,
  ...(publishAt === undefined ? {} : { publishAt }),
  access: access('approver'),
  brand: brandFacts(),
});
const cancel = (publicationId = PUBLICATION_ID): CommandOf<'CancelPublish'> => ({
  type: 'CancelPublish',
  publicationId,
  access: access('approver'),
});
const ids = { contentId: CONTENT_ID, publicationId: PUBLICATION_ID };

/** One valid instance of every saga command for the publication in flight. */
const SAGA_COMMANDS: { name: ContentSagaCommand['type']; command: ContentSagaCommand }[] = [
  { name: 'StartPublication', command: { type: 'StartPublication', publicationId: PUBLICATION_ID } },
  {
    name: 'RecordPublishStep',
    command: {
      type: 'RecordPublishStep',
      publicationId: PUBLICATION_ID,
      step: 'validate',
      outcome: 'started',
    },
  },
  {
    name: 'RecordMetadata',
    command: { type: 'RecordMetadata', publicationId: PUBLICATION_ID, metadata: generatedMetadata },
  },
  { name: 'RevertMetadata', command: { type: 'RevertMetadata', publicationId: PUBLICATION_ID } },
  {
    name: 'RecordChannelPublished',
    command: { type: 'RecordChannelPublished', publicationId: PUBLICATION_ID, channelId: FEED_CHANNEL_ID },
  },
  {
    name: 'RecordChannelUnpublished',
    command: { type: 'RecordChannelUnpublished', publicationId: PUBLICATION_ID, channelId: FEED_CHANNEL_ID },
  },
  {
    name: 'RecordDeliveryAttempt',
    command: {
      type: 'RecordDeliveryAttempt',
      publicationId: PUBLICATION_ID,
      channelId: WEBHOOK_CHANNEL_ID,
      attempt: 1,
      outcome: 'delivered',
    },
  },
  {
    name: 'RecordChannelFailed',
    command: {
      type: 'RecordChannelFailed',
      publicationId: PUBLICATION_ID,
      channelId: WEBHOOK_CHANNEL_ID,
      failure: { reason: 'timeout', status: null },
    },
  },
  {
    name: 'RecordStakeholdersNotified',
    command: {
      type: 'RecordStakeholdersNotified',
      publicationId: PUBLICATION_ID,
      outcome: 'published',
      recipients: [],
    },
  },
  { name: 'CompletePublication', command: { type: 'CompletePublication', publicationId: PUBLICATION_ID } },
  {
    name: 'FailPublication',
    command: {
      type: 'FailPublication',
      publicationId: PUBLICATION_ID,
      stage: 'channels',
      reasons: ['timeout'],
    },
  },
];

describe('RequestPublish', () => {
  it("publishes the approved version at once to a snapshot of the brand's channels", () => {
    spec
      .given(approvedContent())
      .when(request(), approver)
      .then([publishRequested(null)]);
    expect(fold(contentDecider, [...approvedContent(), publishRequested(null)])).toMatchObject({
      status: 'publishing',
      publication: { publicationId: PUBLICATION_ID, version: 1, publishAt: null, channels, started: true },
    });
  });

  it('schedules a publication for later', () => {
    spec
      .given(approvedContent())
      .when(request(inAnHour), approver)
      .then([publishRequested(inAnHour)]);
    expect(fold(contentDecider, scheduled())).toMatchObject({
      status: 'scheduled',
      publication: { publishAt: inAnHour, started: false },
    });
  });

  it('records a time given with an offset in UTC', () => {
    spec
      .given(approvedContent())
      .when(request('2025-06-02T12:30:00+02:00'), approver)
      .then([publishRequested(inAnHour)]);
  });

  it('publishes at once when the time asked for has come', () => {
    spec
      .given(approvedContent())
      .when(request(anHourAgo), approver)
      .then([publishRequested(null)]);
    spec
      .given(approvedContent())
      .when(request(now.toISOString()), approver)
      .then([publishRequested(null)]);
  });

  it('publishes the version that was approved', () => {
    const approvedV2: ContentEvent[] = [
      ...draft(),
      updated(2),
      submitted(2),
      stepApproved(0, APPROVER_ID, 2),
      stepApproved(1, ADMIN_ID, 2),
      approved(2),
    ];
    spec
      .given(approvedV2)
      .when(request(), approver)
      .then([publishRequested(null, PUBLICATION_ID, 2)]);
  });

  it('is for approvers and admins', () => {
    spec
      .given(approvedContent())
      .when({ ...request(), access: access('editor') }, author)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
    const [event] = contentDecider.decide(
      { ...request(), access: access('admin') },
      fold(contentDecider, approvedContent()),
      brandAdmin,
    );
    expect(event).toMatchObject({ type: 'ContentPublishRequested', data: { requestedBy: ADMIN_ID } });
  });

  it.each([
    ['a draft', draft],
    ['content under review', inReview],
    ['content already scheduled', scheduled],
    ['content being published', publishing],
    ['published content', publishedContent],
  ])('refuses %s: only approved content is published', (_what, history) => {
    spec
      .given(history())
      .when(request(null, NEXT_PUBLICATION_ID), approver)
      .thenThrows('CONFLICT', 'NOT_APPROVED');
  });

  it('refuses a time that is not an ISO instant', () => {
    spec
      .given(approvedContent())
      .when(request('tomorrow at nine'), approver)
      .thenThrows('VALIDATION', 'INVALID_PUBLISH_AT');
  });

  it('retries after the channels failed, under a new publication id only', () => {
    const failedOnChannels = [...publishing(), publishFailed('channels')];
    spec.given(failedOnChannels).when(request(), approver).thenThrows('CONFLICT', 'PUBLICATION_EXISTS');
    spec
      .given(failedOnChannels)
      .when(request(null, NEXT_PUBLICATION_ID), approver)
      .then([publishRequested(null, NEXT_PUBLICATION_ID)]);
  });
});

describe('CancelPublish', () => {
  it('calls off a scheduled publication; the content stays approved', () => {
    spec.given(scheduled()).when(cancel(), approver).then([publishCancelled()]);
    expect(fold(contentDecider, [...scheduled(), publishCancelled()])).toMatchObject({
      status: 'approved',
      publication: { outcome: 'cancelled' },
    });
  });

  it('calls off a publication under way before any channel succeeded', () => {
    spec
      .given([...publishing(), stepRecorded('validate', 'completed'), metadataGenerated()])
      .when(cancel(), approver)
      .then([publishCancelled()]);
  });

  it('refuses once the content is on a channel', () => {
    spec
      .given([...publishing(), channelPublished(webhook)])
      .when(cancel(), approver)
      .thenThrows('CONFLICT', 'CHANNELS_PUBLISHED');
  });

  it('decides nothing when already cancelled', () => {
    spec
      .given([...scheduled(), publishCancelled()])
      .when(cancel(), approver)
      .thenNothing();
  });

  it('refuses a publication that has ended or is not the current one', () => {
    spec.given(publishedContent()).when(cancel(), approver).thenThrows('CONFLICT', 'PUBLICATION_ENDED');
    spec
      .given(scheduled())
      .when(cancel(NEXT_PUBLICATION_ID), approver)
      .thenThrows('CONFLICT', 'STALE_PUBLICATION');
    spec.given(approvedContent()).when(cancel(), approver).thenThrows('CONFLICT', 'STALE_PUBLICATION');
  });

  it('is for approvers and admins', () => {
    spec
      .given(scheduled())
      .when({ ...cancel(), access: access('editor') }, author)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });
});

describe('saga commands', () => {
  it.each(SAGA_COMMANDS)('$name is for the system only', ({ command }) => {
    for (const context of [approver, brandAdmin, by(asUser(ADMIN_ID, 'admin'), now)]) {
      spec.given(publishing()).when(command, context).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    }
    spec
      .given(publishing())
      .when(command, by(anIntegration(ADMIN_ID, ['graphql:write']), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it.each(SAGA_COMMANDS)('$name needs the current publication id', ({ command }) => {
    spec
      .given([...publishing(), publishFailed('channels'), publishRequested(null, NEXT_PUBLICATION_ID)])
      .when(command, saga)
      .thenThrows('CONFLICT', 'STALE_PUBLICATION');
    spec.given(approvedContent()).when(command, saga).thenThrows('CONFLICT', 'STALE_PUBLICATION');
  });

  it.each(SAGA_COMMANDS)('$name needs the content to exist', ({ command }) => {
    spec.given([]).when(command, saga).thenThrows('NOT_FOUND', 'CONTENT_NOT_FOUND');
  });

  it.each(SAGA_COMMANDS.filter(({ name }) => name !== 'StartPublication'))(
    '$name waits for a scheduled publication to start',
    ({ command }) => {
      spec.given(scheduled()).when(command, saga).thenThrows('CONFLICT', 'PUBLICATION_NOT_STARTED');
    },
  );
});

describe('StartPublication', () => {
  const start: ContentCommand = { type: 'StartPublication', publicationId: PUBLICATION_ID };

  it('starts a scheduled publication when its time comes', () => {
    spec.given(scheduled()).when(start, saga).then([publishStarted()]);
    expect(fold(contentDecider, [...scheduled(), publishStarted()])).toMatchObject({
      status: 'publishing',
      publication: { started: true },
    });
  });

  it('decides nothing for a publication already under way', () => {
    spec.given(publishing()).when(start, saga).thenNothing();
    spec
      .given([...scheduled(), publishStarted()])
      .when(start, saga)
      .thenNothing();
  });

  it('refuses a cancelled publication', () => {
    spec
      .given([...scheduled(), publishCancelled()])
      .when(start, saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('RecordPublishStep', () => {
  const record = (
    step: 'validate' | 'compensate',
    outcome: 'started' | 'completed' | 'failed',
    detail?: string,
  ) =>
    ({
      type: 'RecordPublishStep',
      publicationId: PUBLICATION_ID,
      step,
      outcome,
      ...(detail === undefined ? {} : { detail }),
    }) satisfies ContentCommand;

  it('records progress without changing the status', () => {
    spec
      .given(publishing())
      .when(record('validate', 'started'), saga)
      .then([stepRecorded('validate', 'started')]);
    spec
      .given([...publishing(), stepRecorded('validate', 'started')])
      .when(record('validate', 'failed', 'Title too long for the feed'), saga)
      .then([stepRecorded('validate', 'failed', 'Title too long for the feed')]);
    expect(fold(contentDecider, [...publishing(), stepRecorded('validate', 'started')])).toMatchObject({
      status: 'publishing',
    });
  });

  it('decides nothing for a step outcome already recorded', () => {
    spec
      .given([...publishing(), stepRecorded('validate', 'started')])
      .when(record('validate', 'started'), saga)
      .thenNothing();
  });

  it('records compensation after the publication failed', () => {
    spec
      .given([...publishing(), publishFailed('channels')])
      .when(record('compensate', 'completed'), saga)
      .then([stepRecorded('compensate', 'completed')]);
  });
});

describe('metadata', () => {
  const record: ContentCommand = {
    type: 'RecordMetadata',
    publicationId: PUBLICATION_ID,
    metadata: generatedMetadata,
  };
  const revert: ContentCommand = { type: 'RevertMetadata', publicationId: PUBLICATION_ID };

  it('records generated metadata with what it replaces', () => {
    spec.given(publishing()).when(record, saga).then([metadataGenerated()]);
    expect(fold(contentDecider, [...publishing(), metadataGenerated()])).toMatchObject({
      metadata: generatedMetadata,
    });
  });

  it('keeps the first metadata generated for a publication', () => {
    spec
      .given([...publishing(), metadataGenerated()])
      .when(record, saga)
      .thenNothing();
    spec
      .given([...publishing(), metadataGenerated()])
      .when({ ...record, metadata: { ...generatedMetadata, seoTitle: 'Another take' } }, saga)
      .thenNothing();
  });

  it('validates generated metadata', () => {
    spec
      .given(publishing())
      .when({ ...record, metadata: { ...generatedMetadata, keywords: ['x'.repeat(101)] } }, saga)
      .thenThrows('VALIDATION', 'INVALID_METADATA');
  });

  it('reverts to what the content had, once', () => {
    spec
      .given([...publishing(), metadataGenerated()])
      .when(revert, saga)
      .then([metadataReverted()]);
    expect(fold(contentDecider, [...publishing(), metadataGenerated(), metadataReverted()])).toMatchObject({
      metadata: v1.metadata,
    });
    spec
      .given([...publishing(), metadataGenerated(), metadataReverted()])
      .when(revert, saga)
      .thenNothing();
  });

  it('has nothing to revert when none was generated', () => {
    spec.given(publishing()).when(revert, saga).thenNothing();
  });

  it('reverts after the publication failed (compensations follow the failure)', () => {
    spec
      .given([...publishing(), metadataGenerated(), publishFailed('channels')])
      .when(revert, saga)
      .then([metadataReverted()]);
  });

  it('refuses generating for a publication that has ended', () => {
    spec
      .given([...publishing(), publishFailed('compliance')])
      .when(record, saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('channels', () => {
  const publishOn = (channelId: string, location?: string): ContentCommand => ({
    type: 'RecordChannelPublished',
    publicationId: PUBLICATION_ID,
    channelId,
    ...(location === undefined ? {} : { location }),
  });
  const unpublishFrom = (channelId: string): ContentCommand => ({
    type: 'RecordChannelUnpublished',
    publicationId: PUBLICATION_ID,
    channelId,
  });

  it("records a channel published to, with the channel's kind from the snapshot", () => {
    spec
      .given(publishing())
      .when(publishOn(WEBHOOK_CHANNEL_ID, 'https://hooks.example.org/crunchy-oats/42'), saga)
      .then([channelPublished(webhook, 'https://hooks.example.org/crunchy-oats/42')]);
    spec
      .given(publishing())
      .when(publishOn(FEED_CHANNEL_ID), saga)
      .then([channelPublished(feed)]);
  });

  it('decides nothing for a channel already published to', () => {
    spec
      .given([...publishing(), channelPublished(feed)])
      .when(publishOn(FEED_CHANNEL_ID), saga)
      .thenNothing();
  });

  it('refuses a channel the publication does not go to', () => {
    spec.given(publishing()).when(publishOn(CONTENT_ID), saga).thenThrows('NOT_FOUND', 'UNKNOWN_CHANNEL');
    spec.given(publishing()).when(unpublishFrom(CONTENT_ID), saga).thenThrows('NOT_FOUND', 'UNKNOWN_CHANNEL');
  });

  it('unpublishes a channel as compensation, also after the failure was recorded', () => {
    spec
      .given([...publishing(), channelPublished(webhook)])
      .when(unpublishFrom(WEBHOOK_CHANNEL_ID), saga)
      .then([channelUnpublished(webhook)]);
    spec
      .given([...publishing(), channelPublished(webhook), publishFailed('channels')])
      .when(unpublishFrom(WEBHOOK_CHANNEL_ID), saga)
      .then([channelUnpublished(webhook)]);
  });

  it('decides nothing when unpublishing a channel the content is not on', () => {
    spec.given(publishing()).when(unpublishFrom(FEED_CHANNEL_ID), saga).thenNothing();
    spec
      .given([...publishing(), channelPublished(feed), channelUnpublished(feed)])
      .when(unpublishFrom(FEED_CHANNEL_ID), saga)
      .thenNothing();
  });

  it('refuses publishing to a channel for a publication that has ended', () => {
    spec
      .given([...publishing(), publishFailed('channels')])
      .when(publishOn(FEED_CHANNEL_ID), saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('channel delivery', () => {
  const attempt = (
    number: number,
    failure: DeliveryFailure | null = null,
    channelId = WEBHOOK_CHANNEL_ID,
  ): ContentCommand => ({
    type: 'RecordDeliveryAttempt',
    publicationId: PUBLICATION_ID,
    channelId,
    attempt: number,
    outcome: failure ? 'failed' : 'delivered',
    failure,
  });
  const giveUp = (channelId = WEBHOOK_CHANNEL_ID, failure = answered(500)): ContentCommand => ({
    type: 'RecordChannelFailed',
    publicationId: PUBLICATION_ID,
    channelId,
    failure,
  });

  it('records each attempt as it ended: failed with why, then delivered', () => {
    spec
      .given(publishing())
      .when(attempt(1, answered(500)), saga)
      .then([deliveryAttempted(webhook, 1, answered(500))]);
    spec
      .given([...publishing(), deliveryAttempted(webhook, 1, answered(500))])
      .when(attempt(2), saga)
      .then([deliveryAttempted(webhook, 2)]);
    expect(
      fold(contentDecider, [...publishing(), deliveryAttempted(webhook, 1, answered(500))]),
    ).toMatchObject({ publication: { deliveryAttempts: { [WEBHOOK_CHANNEL_ID]: 1 }, channelsDone: [] } });
  });

  it('decides nothing for an attempt already recorded, or older than one that was', () => {
    const history = [...publishing(), deliveryAttempted(webhook, 2, answered(503))];
    spec
      .given(history)
      .when(attempt(2, answered(503)), saga)
      .thenNothing();
    spec
      .given(history)
      .when(attempt(1, answered(500)), saga)
      .thenNothing();
  });

  it('decides nothing for an attempt reporting after its channel was settled', () => {
    spec
      .given([...publishing(), deliveryAttempted(webhook, 1), channelPublished(webhook)])
      .when(attempt(2), saga)
      .thenNothing();
    spec
      .given([...publishing(), channelFailed(webhook, answered(500))])
      .when(attempt(4, answered(500)), saga)
      .thenNothing();
  });

  it('wants a reason for a failed attempt, and none for a delivered one', () => {
    const failedWithoutReason: ContentCommand = {
      type: 'RecordDeliveryAttempt',
      publicationId: PUBLICATION_ID,
      channelId: WEBHOOK_CHANNEL_ID,
      attempt: 1,
      outcome: 'failed',
    };
    spec
      .given(publishing())
      .when(failedWithoutReason, saga)
      .thenThrows('VALIDATION', 'INVALID_DELIVERY_FAILURE');
    spec
      .given(publishing())
      .when({ ...failedWithoutReason, outcome: 'delivered', failure: answered(500) }, saga)
      .thenThrows('VALIDATION', 'INVALID_DELIVERY_FAILURE');
    spec
      .given(publishing())
      .when(attempt(1, { reason: 'http_status', status: 42 }), saga)
      .thenThrows('VALIDATION', 'INVALID_DELIVERY_FAILURE');
    spec.given(publishing()).when(attempt(0), saga).thenThrows('VALIDATION', 'INVALID_ATTEMPT');
  });

  it('refuses attempts on a channel the publication does not go to, or once it has ended', () => {
    spec
      .given(publishing())
      .when(attempt(1, null, CONTENT_ID), saga)
      .thenThrows('NOT_FOUND', 'UNKNOWN_CHANNEL');
    spec
      .given([...publishing(), publishCancelled()])
      .when(attempt(1), saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });

  it("records a channel the saga gave up on, with the channel's kind, once", () => {
    const history = [...publishing(), deliveryAttempted(webhook, 3, answered(500))];
    spec
      .given(history)
      .when(giveUp(), saga)
      .then([channelFailed(webhook, answered(500))]);
    spec
      .given([...history, channelFailed(webhook, answered(500))])
      .when(giveUp(), saga)
      .thenNothing();
    spec
      .given(publishing())
      .when(giveUp(FEED_CHANNEL_ID, { reason: 'other', status: null }), saga)
      .then([channelFailed(feed, { reason: 'other', status: null })]);
  });

  it('refuses failing a channel the content is on, or after the publication ended', () => {
    spec
      .given([...publishing(), channelPublished(webhook)])
      .when(giveUp(), saga)
      .thenThrows('CONFLICT', 'CHANNEL_PUBLISHED');
    spec
      .given([...publishing(), publishFailed('channels')])
      .when(giveUp(), saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('RecordStakeholdersNotified', () => {
  const notify = (outcome: 'published' | 'failed', recipients: string[]): ContentCommand => ({
    type: 'RecordStakeholdersNotified',
    publicationId: PUBLICATION_ID,
    outcome,
    recipients,
  });

  it('records who was told, each once', () => {
    spec
      .given(publishing())
      .when(notify('published', [AUTHOR_ID, APPROVER_ID, AUTHOR_ID]), saga)
      .then([stakeholdersNotified('published')]);
  });

  it('decides nothing when that outcome was already notified', () => {
    spec
      .given([...publishing(), stakeholdersNotified('failed')])
      .when(notify('failed', [AUTHOR_ID]), saga)
      .thenNothing();
  });

  it('notifies a failure after it was recorded', () => {
    spec
      .given([...publishing(), publishFailed('compliance')])
      .when(notify('failed', [AUTHOR_ID, APPROVER_ID]), saga)
      .then([stakeholdersNotified('failed')]);
  });
});

describe('CompletePublication', () => {
  const complete: ContentCommand = { type: 'CompletePublication', publicationId: PUBLICATION_ID };
  const onEveryChannel = () => [...publishing(), channelPublished(webhook), channelPublished(feed)];

  it('publishes the content once it is on every channel', () => {
    spec.given(onEveryChannel()).when(complete, saga).then([published()]);
    expect(fold(contentDecider, publishedContent())).toMatchObject({
      status: 'published',
      publishedVersion: 1,
      publication: { outcome: 'published', channelsDone: [WEBHOOK_CHANNEL_ID, FEED_CHANNEL_ID] },
    });
  });

  it('refuses while a channel is missing', () => {
    spec
      .given([...publishing(), channelPublished(webhook)])
      .when(complete, saga)
      .thenThrows('CONFLICT', 'CHANNELS_PENDING');
  });

  it('completes a publication to no channels at all', () => {
    const noChannels: ContentEvent = {
      type: 'ContentPublishRequested',
      data: { ...ids, version: 1, requestedBy: APPROVER_ID, publishAt: null, channels: [] },
    };
    spec
      .given([...approvedContent(), noChannels])
      .when(complete, saga)
      .then([published()]);
  });

  it('decides nothing when already published', () => {
    spec.given(publishedContent()).when(complete, saga).thenNothing();
  });

  it('refuses a publication that failed', () => {
    spec
      .given([...onEveryChannel(), publishFailed('channels')])
      .when(complete, saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('FailPublication', () => {
  const fail = (stage: 'validate' | 'compliance' | 'channels'): ContentCommand => ({
    type: 'FailPublication',
    publicationId: PUBLICATION_ID,
    stage,
    reasons: ['Claim not on the master list'],
  });

  it.each(['validate', 'compliance'] as const)(
    'records a %s failure: back to draft, to be edited and reviewed again',
    (stage) => {
      spec
        .given(publishing())
        .when(fail(stage), saga)
        .then([publishFailed(stage)]);
      expect(fold(contentDecider, [...publishing(), publishFailed(stage)])).toMatchObject({
        status: 'draft',
        review: null,
        publication: { outcome: 'failed' },
        lastPublishFailure: {
          publicationId: PUBLICATION_ID,
          version: 1,
          stage,
          reasons: ['Claim not on the master list'],
        },
      });
    },
  );

  it('records a channel failure: still approved, so publishing may be retried', () => {
    spec
      .given(publishing())
      .when(fail('channels'), saga)
      .then([publishFailed('channels')]);
    expect(fold(contentDecider, [...publishing(), publishFailed('channels')])).toMatchObject({
      status: 'approved',
      lastPublishFailure: { stage: 'channels' },
    });
  });

  it('decides nothing when the failure is already recorded', () => {
    spec
      .given([...publishing(), publishFailed('channels')])
      .when(fail('channels'), saga)
      .thenNothing();
  });

  it('refuses a publication that succeeded or was cancelled', () => {
    spec.given(publishedContent()).when(fail('channels'), saga).thenThrows('CONFLICT', 'PUBLICATION_ENDED');
    spec
      .given([...publishing(), publishCancelled()])
      .when(fail('validate'), saga)
      .thenThrows('CONFLICT', 'PUBLICATION_ENDED');
  });
});

describe('UnpublishContent', () => {
  const unpublish = (reason?: string | null): CommandOf<'UnpublishContent'> => ({
    type: 'UnpublishContent',
    ...(reason === undefined ? {} : { reason }),
    access: access('approver'),
  });

  it('takes published content down; it stays approved', () => {
    spec.given(publishedContent()).when(unpublish(), approver).then([unpublished()]);
    spec
      .given(publishedContent())
      .when(unpublish('Recall'), approver)
      .then([
        {
          type: 'ContentUnpublished',
          data: { contentId: CONTENT_ID, unpublishedBy: APPROVER_ID, reason: 'Recall' },
        },
      ]);
    expect(fold(contentDecider, [...publishedContent(), unpublished()])).toMatchObject({
      status: 'approved',
      publishedVersion: null,
      publication: { outcome: 'unpublished' },
    });
  });

  it('refuses content that is not published', () => {
    spec.given(approvedContent()).when(unpublish(), approver).thenThrows('CONFLICT', 'NOT_PUBLISHED');
    spec.given(publishing()).when(unpublish(), approver).thenThrows('CONFLICT', 'NOT_PUBLISHED');
  });

  it('is for approvers and admins', () => {
    spec
      .given(publishedContent())
      .when({ ...unpublish(), access: access('editor') }, author)
      .thenThrows('FORBIDDEN', 'INSUFFICIENT_ROLE');
  });

  it('takes down a channel that took the delivery even when a cancel won the race to record it', () => {
    spec
      .given([...publishing(), deliveryAttempted(webhook, 1), publishCancelled()])
      .when(
        { type: 'RecordChannelUnpublished', publicationId: PUBLICATION_ID, channelId: WEBHOOK_CHANNEL_ID },
        saga,
      )
      .then([channelUnpublished(webhook)]);
    // A channel whose every attempt failed never had the content: nothing to take down.
    spec
      .given([...publishing(), deliveryAttempted(webhook, 1, answered(503)), publishCancelled()])
      .when(
        { type: 'RecordChannelUnpublished', publicationId: PUBLICATION_ID, channelId: WEBHOOK_CHANNEL_ID },
        saga,
      )
      .thenNothing();
  });

  it('lets the saga take the channels down afterwards', () => {
    spec
      .given([...publishedContent(), unpublished()])
      .when(
        { type: 'RecordChannelUnpublished', publicationId: PUBLICATION_ID, channelId: WEBHOOK_CHANNEL_ID },
        saga,
      )
      .then([channelUnpublished(webhook)]);
  });
});
