import type { Channel, WorkflowStep } from '../brands/brand-values.ts';
import type { ContentEvent, ContentEventOf } from './content-events.ts';
import type {
  ContentFields,
  ContentMetadata,
  ContentStatus,
  NotificationOutcome,
  PublishFailureStage,
} from './content-values.ts';

/** One version as its author left it; versions never change once written. */
export interface VersionSnapshot {
  version: number;
  title: string;
  fields: ContentFields;
  metadata: ContentMetadata;
  authorId: string;
  restoredFrom: number | null;
}

export interface Review {
  version: number;
  /** The brand's workflow when the content was submitted. */
  steps: readonly WorkflowStep[];
  /** Index of the step awaiting sign-off; equals `steps.length` once approved. */
  nextStep: number;
  approvals: readonly { step: number; approvedBy: string; comment: string | null }[];
}

export interface Publication {
  publicationId: string;
  version: number;
  /** Null when publishing started at once. */
  publishAt: string | null;
  channels: readonly Channel[];
  started: boolean;
  /** Ids of the channels the content is on now (published and not unpublished since). */
  channelsDone: readonly string[];
  /** The highest delivery attempt recorded, per channel id. */
  deliveryAttempts: Readonly<Record<string, number>>;
  /**
   * Channels whose receiver took a delivery, recorded as published or not: a cancel can win the
   * race between the delivery and its record, and the receiver must still be told to take it down.
   */
  channelsReached: readonly string[];
  /** Ids of the channels the saga gave up on. */
  channelsFailed: readonly string[];
  /** Metadata the saga generated, and what it replaced (restored on revert). */
  metadata: { generated: ContentMetadata; previous: ContentMetadata; reverted: boolean } | null;
  /** `step:outcome` pairs already recorded. */
  stepsRecorded: readonly string[];
  notified: readonly NotificationOutcome[];
  outcome: 'pending' | 'published' | 'failed' | 'cancelled' | 'unpublished';
}

export interface Content {
  contentId: string;
  brandId: string;
  type: string;
  templateId: string | null;
  status: ContentStatus;
  createdBy: string;
  /** The current version's number. */
  version: number;
  /** Every version, oldest first. */
  versions: readonly VersionSnapshot[];
  /** The live metadata: the current version's, unless publishing generated newer. */
  metadata: ContentMetadata;
  review: Review | null;
  publication: Publication | null;
  /** The version last published, while it is published. */
  publishedVersion: number | null;
  lastRejection: { version: number; step: number; rejectedBy: string; reason: string } | null;
  lastPublishFailure: {
    publicationId: string;
    version: number;
    stage: PublishFailureStage;
    reasons: readonly string[];
  } | null;
}

export type ContentState = { status: 'none' } | Content;

export const initialContentState: ContentState = { status: 'none' };

export function evolveContent(state: ContentState, event: ContentEvent): ContentState {
  if (event.type === 'ContentCreated') return created(event);
  if (state.status === 'none') return state;
  return evolveExisting(state, event);
}

function created({ data }: ContentEventOf<'ContentCreated'>): Content {
  const { contentId, brandId, type, templateId, title, fields, metadata, authorId } = data;
  return {
    contentId,
    brandId,
    type,
    templateId,
    status: 'draft',
    createdBy: authorId,
    version: 1,
    versions: [{ version: 1, title, fields, metadata, authorId, restoredFrom: null }],
    metadata,
    review: null,
    publication: null,
    publishedVersion: null,
    lastRejection: null,
    lastPublishFailure: null,
  };
}

function evolveExisting(content: Content, event: ContentEvent): Content {
  switch (event.type) {
    case 'ContentUpdated': {
      const { version, title, fields, metadata, authorId, restoredFrom } = event.data;
      return {
        ...content,
        status: 'draft',
        version,
        versions: [...content.versions, { version, title, fields, metadata, authorId, restoredFrom }],
        metadata,
        review: null,
      };
    }
    case 'ContentSubmitted': {
      const { version, steps } = event.data;
      return { ...content, status: 'in_review', review: { version, steps, nextStep: 0, approvals: [] } };
    }
    case 'ContentStepApproved': {
      if (!content.review) return content;
      const { step, approvedBy, comment } = event.data;
      const approvals = [...content.review.approvals, { step, approvedBy, comment }];
      return { ...content, review: { ...content.review, nextStep: step + 1, approvals } };
    }
    case 'ContentApproved':
      return { ...content, status: 'approved' };
    case 'ContentRejected': {
      const { version, step, rejectedBy, reason } = event.data;
      return {
        ...content,
        status: 'draft',
        review: null,
        lastRejection: { version, step, rejectedBy, reason },
      };
    }
    case 'ContentUnpublished':
      return {
        ...content,
        status: 'approved',
        publishedVersion: null,
        publication: content.publication && { ...content.publication, outcome: 'unpublished' },
      };
    case 'ContentArchived':
      return { ...content, status: 'archived' };
    default:
      return evolvePublication(content, event);
  }
}

function evolvePublication(content: Content, event: ContentEvent): Content {
  if (event.type === 'ContentPublishRequested') {
    const { publicationId, version, publishAt, channels } = event.data;
    return {
      ...content,
      status: publishAt === null ? 'publishing' : 'scheduled',
      publication: {
        publicationId,
        version,
        publishAt,
        channels,
        started: publishAt === null,
        channelsDone: [],
        deliveryAttempts: {},
        channelsReached: [],
        channelsFailed: [],
        metadata: null,
        stepsRecorded: [],
        notified: [],
        outcome: 'pending',
      },
    };
  }
  const publication = content.publication;
  if (!publication) return content;
  const withPublication = (changes: Partial<Publication>, rest: Partial<Content> = {}): Content => ({
    ...content,
    ...rest,
    publication: { ...publication, ...changes },
  });
  switch (event.type) {
    case 'ContentPublishCancelled':
      return withPublication({ outcome: 'cancelled' }, { status: 'approved' });
    case 'ContentPublishStarted':
      return withPublication({ started: true }, { status: 'publishing' });
    case 'ContentPublishStepRecorded':
      return withPublication({
        stepsRecorded: [...publication.stepsRecorded, stepKey(event.data.step, event.data.outcome)],
      });
    case 'ContentMetadataGenerated': {
      const { metadata, previous } = event.data;
      return withPublication({ metadata: { generated: metadata, previous, reverted: false } }, { metadata });
    }
    case 'ContentMetadataReverted':
      return withPublication(
        { metadata: publication.metadata && { ...publication.metadata, reverted: true } },
        { metadata: event.data.metadata },
      );
    case 'ContentChannelPublished':
      return withPublication({ channelsDone: [...publication.channelsDone, event.data.channelId] });
    case 'ContentChannelUnpublished':
      return withPublication({
        channelsDone: publication.channelsDone.filter((channelId) => channelId !== event.data.channelId),
        channelsReached: publication.channelsReached.filter(
          (channelId) => channelId !== event.data.channelId,
        ),
      });
    case 'ContentChannelDeliveryAttempted': {
      const { channelId, attempt, outcome } = event.data;
      const highest = Math.max(publication.deliveryAttempts[channelId] ?? 0, attempt);
      const reached =
        outcome === 'delivered' && !publication.channelsReached.includes(channelId)
          ? [...publication.channelsReached, channelId]
          : publication.channelsReached;
      return withPublication({
        deliveryAttempts: { ...publication.deliveryAttempts, [channelId]: highest },
        channelsReached: reached,
      });
    }
    case 'ContentChannelFailed':
      return withPublication({ channelsFailed: [...publication.channelsFailed, event.data.channelId] });
    case 'ContentStakeholdersNotified':
      return withPublication({ notified: [...publication.notified, event.data.outcome] });
    case 'ContentPublished':
      return withPublication(
        { outcome: 'published' },
        { status: 'published', publishedVersion: event.data.version },
      );
    case 'ContentPublishFailed':
      return failed(content, publication, event);
    default:
      return content;
  }
}

/**
 * Failing validation or compliance sends the content back to draft: it must be edited and reviewed
 * again. Failing on the channels leaves it approved, so publishing may simply be retried.
 */
function failed(
  content: Content,
  publication: Publication,
  { data }: ContentEventOf<'ContentPublishFailed'>,
): Content {
  const backToDraft = data.stage !== 'channels';
  return {
    ...content,
    status: backToDraft ? 'draft' : 'approved',
    review: backToDraft ? null : content.review,
    publication: { ...publication, outcome: 'failed' },
    lastPublishFailure: {
      publicationId: data.publicationId,
      version: publication.version,
      stage: data.stage,
      reasons: data.reasons,
    },
  };
}

export const stepKey = (step: string, outcome: string) => `${step}:${outcome}`;

export const versionOf = (content: Content, version: number): VersionSnapshot | undefined =>
  content.versions.find((snapshot) => snapshot.version === version);

export const currentVersion = (content: Content): VersionSnapshot | undefined =>
  versionOf(content, content.version);
