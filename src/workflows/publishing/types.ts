import type { Channel } from '../../domain/brands/brand-values.ts';
import type { ContentFields, ContentMetadata } from '../../domain/content/content-values.ts';
import type { PublishingSettingsInput } from './settings.ts';

/**
 * What the publishing workflows and their activities hand each other: JSON values only, since
 * they travel as Temporal payloads and are kept in the workflow's history.
 */

/** Which saga acts, on which publication: command ids derive from `sagaId` (the workflow id). */
export interface SagaRef {
  sagaId: string;
  contentId: string;
  publicationId: string;
  /** The request that asked for the publication: every command of the saga carries it. */
  correlationId: string;
  /** The event that started the saga. */
  causationId: string;
}

export interface PublishContentInput {
  contentId: string;
  publicationId: string;
  /** ISO 8601; null publishes at once. */
  publishAt: string | null;
  /** The triggering event's id and correlation id (defaults: the workflow id). */
  causationId?: string;
  correlationId?: string;
  settings?: PublishingSettingsInput;
}

export interface UnpublishContentInput {
  contentId: string;
  /** The ContentUnpublished event: the channels are those the content was on when it happened. */
  eventId: string;
  correlationId?: string;
  settings?: PublishingSettingsInput;
}

/** The approved version and the channels it goes to, as the publication was requested. */
export interface PublicationPlan {
  brandId: string;
  version: number;
  title: string;
  fields: ContentFields;
  channels: Channel[];
}

export type Verdict = { ok: true } | { ok: false; reasons: string[] };

export type WebhookChannel = Extract<Channel, { kind: 'webhook' }>;

/** The body of a `content.published` webhook delivery. */
export interface PublishedDelivery {
  type: 'content.published';
  contentId: string;
  publicationId: string;
  brandId: string;
  title: string;
  fields: ContentFields;
  metadata: ContentMetadata;
  publishedAt: string;
}

/** The body of a `content.unpublished` webhook delivery (a compensation, or unpublishing). */
export interface UnpublishedDelivery {
  type: 'content.unpublished';
  contentId: string;
  publicationId: string;
  brandId: string;
  unpublishedAt: string;
}

export type Delivery = PublishedDelivery | UnpublishedDelivery;

export interface DeliveryReceipt {
  status: number;
  /** The receiver's Location header (absolute), else the channel's URL. */
  location: string;
  idempotencyKey: string;
}

/** What the unpublish saga takes down: the channels the content was on. */
export interface UnpublishPlan {
  publicationId: string;
  brandId: string;
  channels: Channel[];
}

export type PublishOutcome = 'published' | 'failed' | 'cancelled' | 'ended';

export interface PublishResult {
  outcome: PublishOutcome;
  reasons: string[];
  /** Compensations that failed (each also recorded as `compensate:failed`). */
  compensationFailures: string[];
}
