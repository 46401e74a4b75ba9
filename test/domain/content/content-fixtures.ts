import type { BrandRole, Channel } from '../../../src/domain/brands/brand-values.ts';
import type { BrandFacts, ContentAccess } from '../../../src/domain/content/content-commands.ts';
import type { ContentEvent, ContentEventOf } from '../../../src/domain/content/content-events.ts';
import type {
  ContentFields,
  ContentMetadata,
  DeliveryFailure,
} from '../../../src/domain/content/content-values.ts';
import type { DecisionContext } from '../../../src/domain/shared/decider.ts';
import { asUser, by, theSystem } from '../support/actors.ts';

/** Fixed ids and a fixed `now`: every spec's events are fully determined. */
export const CONTENT_ID = '3c9a7e51-2b4d-4f68-9a1c-5e7b9d2f4a60';
export const BRAND_ID = '0b5e1c2a-7d4f-4a8e-9c31-2f6a8d0e4b71';
/** The editor who created the content. */
export const AUTHOR_ID = '4d0b8f62-3c5e-4079-8b2d-6f8c0e3a5b71';
export const OTHER_EDITOR_ID = '5e1c9073-4d6f-418a-9c3e-7091f4b6c82a';
export const APPROVER_ID = '6f2da184-5e70-429b-8d4f-81a2c5d7e93b';
export const ADMIN_ID = '7031b295-6f81-43ac-9e50-92b3d6e8f04c';
export const VIEWER_ID = '8142c3a6-7092-44bd-af61-a3c4e7f9015d';
export const PUBLICATION_ID = '9253d4b7-81a3-45ce-b072-b4d5f80a126e';
export const NEXT_PUBLICATION_ID = 'a364e5c8-92b4-46df-8183-c5e6091b237f';
export const WEBHOOK_CHANNEL_ID = 'cf738292-a0b4-45c6-a0d7-18293a4b5c6d';
export const FEED_CHANNEL_ID = 'd08493a3-b1c5-46d7-b1e8-293a4b5c6d7e';

export const now = new Date('2025-06-02T09:30:00.000Z');
export const inAnHour = '2025-06-02T10:30:00.000Z';
export const anHourAgo = '2025-06-02T08:30:00.000Z';

export const SAGA_PROCESS = 'publishing';
export const saga: DecisionContext = by(theSystem(SAGA_PROCESS), now);
export const author = by(asUser(AUTHOR_ID), now);
export const otherEditor = by(asUser(OTHER_EDITOR_ID), now);
export const approver = by(asUser(APPROVER_ID), now);
export const brandAdmin = by(asUser(ADMIN_ID), now);
export const viewer = by(asUser(VIEWER_ID), now);

export const access = (role: BrandRole | null, brandArchived = false): ContentAccess => ({
  role,
  brandArchived,
});

export const webhook: Channel = {
  channelId: WEBHOOK_CHANNEL_ID,
  kind: 'webhook',
  url: 'https://hooks.example.org/crunchy-oats',
};
export const feed: Channel = { channelId: FEED_CHANNEL_ID, kind: 'feed' };
export const channels: Channel[] = [webhook, feed];

export const LEGAL = { name: 'Legal review', role: 'approver' as const };
export const SIGN_OFF = { name: 'Brand lead sign-off', role: 'admin' as const };

export const brandFacts = (overrides: Partial<BrandFacts> = {}): BrandFacts => ({
  allowedContentTypes: ['article', 'social-post'],
  workflow: { steps: [LEGAL, SIGN_OFF] },
  channels,
  ...overrides,
});

export const metadata = (overrides: Partial<ContentMetadata> = {}): ContentMetadata => ({
  seoTitle: 'Oats that crunch',
  seoDescription: 'Why our oats stay crunchy in milk',
  keywords: ['oats', 'breakfast'],
  ...overrides,
});

/** Fields written as a record for brevity, kept as a list in the record's order. */
export const fieldsOf = (texts: Record<string, string>): ContentFields =>
  Object.entries(texts).map(([key, value]) => ({ key, value }));

export const v1 = {
  title: 'Crunch time',
  fields: fieldsOf({ body: 'Oats, baked twice.', cta: 'Try them' }),
  metadata: metadata(),
};
export const v2 = {
  title: 'Crunch time, again',
  fields: fieldsOf({ body: 'Oats, baked twice. Now with honey.' }),
  metadata: metadata(),
};

// ---- history --------------------------------------------------------------------------------------

export const created = (): ContentEventOf<'ContentCreated'> => ({
  type: 'ContentCreated',
  data: {
    contentId: CONTENT_ID,
    brandId: BRAND_ID,
    type: 'article',
    templateId: null,
    ...v1,
    authorId: AUTHOR_ID,
    version: 1,
  },
});

export const updated = (
  version: number,
  snapshot: { title: string; fields: ContentFields; metadata: ContentMetadata } = v2,
  authorId = AUTHOR_ID,
  restoredFrom: number | null = null,
): ContentEvent => ({
  type: 'ContentUpdated',
  data: { contentId: CONTENT_ID, version, ...snapshot, authorId, restoredFrom },
});

export const submitted = (version = 1, steps = [LEGAL, SIGN_OFF]): ContentEvent => ({
  type: 'ContentSubmitted',
  data: { contentId: CONTENT_ID, version, submittedBy: AUTHOR_ID, steps },
});

export const stepApproved = (step: number, approvedBy: string, version = 1): ContentEvent => ({
  type: 'ContentStepApproved',
  data: {
    contentId: CONTENT_ID,
    version,
    step,
    stepName: [LEGAL, SIGN_OFF][step]?.name ?? 'unknown',
    approvedBy,
    comment: null,
  },
});

export const approved = (version = 1): ContentEvent => ({
  type: 'ContentApproved',
  data: { contentId: CONTENT_ID, version },
});

export const rejected = (version = 1, step = 0): ContentEvent => ({
  type: 'ContentRejected',
  data: {
    contentId: CONTENT_ID,
    version,
    step,
    rejectedBy: APPROVER_ID,
    reason: 'Needs a source for the claim',
  },
});

export const publishRequested = (
  publishAt: string | null = null,
  publicationId = PUBLICATION_ID,
  version = 1,
): ContentEvent => ({
  type: 'ContentPublishRequested',
  data: { contentId: CONTENT_ID, publicationId, version, requestedBy: APPROVER_ID, publishAt, channels },
});

export const publishStarted = (publicationId = PUBLICATION_ID): ContentEvent => ({
  type: 'ContentPublishStarted',
  data: { contentId: CONTENT_ID, publicationId },
});

export const publishCancelled = (publicationId = PUBLICATION_ID): ContentEvent => ({
  type: 'ContentPublishCancelled',
  data: { contentId: CONTENT_ID, publicationId, cancelledBy: APPROVER_ID },
});

export const stepRecorded = (
  step: ContentEventOf<'ContentPublishStepRecorded'>['data']['step'],
  outcome: ContentEventOf<'ContentPublishStepRecorded'>['data']['outcome'],
  detail: string | null = null,
): ContentEvent => ({
  type: 'ContentPublishStepRecorded',
  data: { contentId: CONTENT_ID, publicationId: PUBLICATION_ID, step, outcome, detail },
});

export const generatedMetadata = metadata({
  seoTitle: 'Crunchy oats: baked twice',
  keywords: ['oats', 'crunch'],
});

export const metadataGenerated = (): ContentEvent => ({
  type: 'ContentMetadataGenerated',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    metadata: generatedMetadata,
    previous: v1.metadata,
  },
});

export const metadataReverted = (): ContentEvent => ({
  type: 'ContentMetadataReverted',
  data: { contentId: CONTENT_ID, publicationId: PUBLICATION_ID, metadata: v1.metadata },
});

export const channelPublished = (channel: Channel, location: string | null = null): ContentEvent => ({
  type: 'ContentChannelPublished',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    channelId: channel.channelId,
    kind: channel.kind,
    location,
  },
});

export const channelUnpublished = (channel: Channel): ContentEvent => ({
  type: 'ContentChannelUnpublished',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    channelId: channel.channelId,
    kind: channel.kind,
  },
});

/** The receiver answered `status`. */
export const answered = (status: number): DeliveryFailure => ({ reason: 'http_status', status });

/** Delivery attempt `attempt` to `channel`: delivered, or failed with `failure`. */
export const deliveryAttempted = (
  channel: Channel,
  attempt: number,
  failure: DeliveryFailure | null = null,
): ContentEvent => ({
  type: 'ContentChannelDeliveryAttempted',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    channelId: channel.channelId,
    attempt,
    outcome: failure ? 'failed' : 'delivered',
    failure,
  },
});

export const channelFailed = (channel: Channel, failure: DeliveryFailure): ContentEvent => ({
  type: 'ContentChannelFailed',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    channelId: channel.channelId,
    kind: channel.kind,
    failure,
  },
});

export const stakeholdersNotified = (outcome: 'published' | 'failed'): ContentEvent => ({
  type: 'ContentStakeholdersNotified',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    outcome,
    recipients: [AUTHOR_ID, APPROVER_ID],
  },
});

export const published = (version = 1): ContentEvent => ({
  type: 'ContentPublished',
  data: { contentId: CONTENT_ID, publicationId: PUBLICATION_ID, version, publishedAt: now.toISOString() },
});

export const publishFailed = (stage: 'validate' | 'compliance' | 'channels'): ContentEvent => ({
  type: 'ContentPublishFailed',
  data: {
    contentId: CONTENT_ID,
    publicationId: PUBLICATION_ID,
    stage,
    reasons: ['Claim not on the master list'],
  },
});

export const unpublished = (): ContentEvent => ({
  type: 'ContentUnpublished',
  data: { contentId: CONTENT_ID, unpublishedBy: APPROVER_ID, reason: null },
});

export const archived = (): ContentEvent => ({
  type: 'ContentArchived',
  data: { contentId: CONTENT_ID, archivedBy: AUTHOR_ID },
});

// ---- histories at each status -------------------------------------------------------------------------

export const draft = (): ContentEvent[] => [created()];
export const inReview = (): ContentEvent[] => [created(), submitted()];
export const approvedContent = (): ContentEvent[] => [
  created(),
  submitted(),
  stepApproved(0, APPROVER_ID),
  stepApproved(1, ADMIN_ID),
  approved(),
];
export const scheduled = (): ContentEvent[] => [...approvedContent(), publishRequested(inAnHour)];
export const publishing = (): ContentEvent[] => [...approvedContent(), publishRequested()];
export const publishedContent = (): ContentEvent[] => [
  ...publishing(),
  channelPublished(webhook, 'https://hooks.example.org/crunchy-oats/42'),
  channelPublished(feed),
  published(),
];
export const archivedContent = (): ContentEvent[] => [created(), archived()];
