import { z } from 'zod';
import { actorRef, CHANNEL_KINDS, channel, workflowStep } from '../brands/brand-values.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  attemptNumber,
  contentFields,
  contentMetadata,
  contentTitle,
  contentTypeRef,
  DELIVERY_OUTCOMES,
  deliveryFailure,
  fieldListOf,
  NOTIFICATION_OUTCOMES,
  PUBLISH_FAILURE_STAGES,
  PUBLISH_STEP_OUTCOMES,
  PUBLISH_STEPS,
  templateRef,
  versionNumber,
} from './content-values.ts';

const instant = z.iso.datetime();
const contentId = z.uuid();
const publicationId = z.uuid();

/**
 * A piece of brand content (MixerAI): versions, review against the brand's workflow, and
 * publication by the publishing saga. Every edit is a full snapshot of a new version.
 */
export const contentEventSchemas = {
  /** `fields` in the author's order (schema version 2; version 1 held a key → text record). */
  ContentCreated: z.object({
    contentId,
    brandId: z.uuid(),
    type: contentTypeRef,
    templateId: templateRef.nullable(),
    title: contentTitle,
    fields: contentFields,
    metadata: contentMetadata,
    authorId: actorRef,
    version: z.literal(1),
  }),
  /**
   * The new version in full; a restore copies an old version and names it in `restoredFrom`.
   * `fields` in the author's order (schema version 2; version 1 held a key → text record).
   */
  ContentUpdated: z.object({
    contentId,
    version: versionNumber,
    title: contentTitle,
    fields: contentFields,
    metadata: contentMetadata,
    authorId: actorRef,
    restoredFrom: versionNumber.nullable(),
  }),
  /** `steps` is the brand's workflow when the content was submitted; later workflow edits do not apply. */
  ContentSubmitted: z.object({
    contentId,
    version: versionNumber,
    submittedBy: actorRef,
    steps: z.array(workflowStep),
  }),
  ContentStepApproved: z.object({
    contentId,
    version: versionNumber,
    step: z.number().int().min(0),
    stepName: z.string(),
    approvedBy: actorRef,
    comment: z.string().max(2000).nullable(),
  }),
  ContentApproved: z.object({ contentId, version: versionNumber }),
  ContentRejected: z.object({
    contentId,
    version: versionNumber,
    step: z.number().int().min(0),
    rejectedBy: actorRef,
    reason: z.string().min(1).max(2000),
  }),
  /**
   * `publishAt` is null when publishing starts at once (no time given, or a time not later than the
   * request): a non-null `publishAt` always means "scheduled".
   */
  ContentPublishRequested: z.object({
    contentId,
    publicationId,
    version: versionNumber,
    requestedBy: actorRef,
    publishAt: instant.nullable(),
    channels: z.array(channel),
  }),
  ContentPublishCancelled: z.object({ contentId, publicationId, cancelledBy: actorRef }),
  ContentPublishStarted: z.object({ contentId, publicationId }),
  ContentPublishStepRecorded: z.object({
    contentId,
    publicationId,
    step: z.enum(PUBLISH_STEPS),
    outcome: z.enum(PUBLISH_STEP_OUTCOMES),
    detail: z.string().max(2000).nullable(),
  }),
  ContentMetadataGenerated: z.object({
    contentId,
    publicationId,
    metadata: contentMetadata,
    previous: contentMetadata,
  }),
  ContentMetadataReverted: z.object({ contentId, publicationId, metadata: contentMetadata }),
  ContentChannelPublished: z.object({
    contentId,
    publicationId,
    channelId: z.uuid(),
    kind: z.enum(CHANNEL_KINDS),
    location: z.string().max(2000).nullable(),
  }),
  ContentChannelUnpublished: z.object({
    contentId,
    publicationId,
    channelId: z.uuid(),
    kind: z.enum(CHANNEL_KINDS),
  }),
  /**
   * One attempt to deliver the publication to a webhook channel, as it ended: delivered, or failed
   * with why (then `failure` is set). Attempts are retried until one is delivered or the retry
   * policy gives up (then ContentChannelFailed).
   */
  ContentChannelDeliveryAttempted: z.object({
    contentId,
    publicationId,
    channelId: z.uuid(),
    attempt: attemptNumber,
    outcome: z.enum(DELIVERY_OUTCOMES),
    failure: deliveryFailure.nullable(),
  }),
  /** The saga gave up on a channel: the publication fails at the `channels` stage next. */
  ContentChannelFailed: z.object({
    contentId,
    publicationId,
    channelId: z.uuid(),
    kind: z.enum(CHANNEL_KINDS),
    failure: deliveryFailure,
  }),
  ContentStakeholdersNotified: z.object({
    contentId,
    publicationId,
    outcome: z.enum(NOTIFICATION_OUTCOMES),
    recipients: z.array(z.uuid()),
  }),
  ContentPublished: z.object({ contentId, publicationId, version: versionNumber, publishedAt: instant }),
  ContentPublishFailed: z.object({
    contentId,
    publicationId,
    stage: z.enum(PUBLISH_FAILURE_STAGES),
    reasons: z.array(z.string().max(2000)),
  }),
  ContentUnpublished: z.object({
    contentId,
    unpublishedBy: actorRef,
    reason: z.string().max(2000).nullable(),
  }),
  ContentArchived: z.object({ contentId, archivedBy: actorRef }),
};

type Schemas = typeof contentEventSchemas;
export type ContentEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ContentEventOf<Type extends ContentEvent['type']> = Extract<ContentEvent, { type: Type }>;

/** Content is brand material, not personal data: integrators see every field. */
const definition = <Type extends ContentEvent['type'], Shape extends z.ZodRawShape>(
  type: Type,
  schema: z.ZodObject<Shape>,
) => ({ type, schemaVersion: 1, schema, publicFields: Object.keys(schema.shape) });

/**
 * Version 2 holds `fields` as a list of `{ key, value }` in the author's order. Version 1 held a
 * key → text record, which `jsonb` stored without its order: read back, its fields come in the
 * order storage left them (shorter keys first), which is all that history still knows.
 */
const withFieldList = <Type extends ContentEvent['type'], Shape extends z.ZodRawShape>(
  type: Type,
  schema: z.ZodObject<Shape>,
) => ({
  ...definition(type, schema),
  schemaVersion: 2,
  upcasters: { 1: fieldsAsList },
});

function fieldsAsList(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || !('fields' in data)) return data;
  return { ...data, fields: fieldListOf(data.fields) };
}

export const contentEventCatalogue: EventCatalogue<ContentEvent> = {
  ContentCreated: withFieldList('ContentCreated', contentEventSchemas.ContentCreated),
  ContentUpdated: withFieldList('ContentUpdated', contentEventSchemas.ContentUpdated),
  ContentSubmitted: definition('ContentSubmitted', contentEventSchemas.ContentSubmitted),
  ContentStepApproved: definition('ContentStepApproved', contentEventSchemas.ContentStepApproved),
  ContentApproved: definition('ContentApproved', contentEventSchemas.ContentApproved),
  ContentRejected: definition('ContentRejected', contentEventSchemas.ContentRejected),
  ContentPublishRequested: definition('ContentPublishRequested', contentEventSchemas.ContentPublishRequested),
  ContentPublishCancelled: definition('ContentPublishCancelled', contentEventSchemas.ContentPublishCancelled),
  ContentPublishStarted: definition('ContentPublishStarted', contentEventSchemas.ContentPublishStarted),
  ContentPublishStepRecorded: definition(
    'ContentPublishStepRecorded',
    contentEventSchemas.ContentPublishStepRecorded,
  ),
  ContentMetadataGenerated: definition(
    'ContentMetadataGenerated',
    contentEventSchemas.ContentMetadataGenerated,
  ),
  ContentMetadataReverted: definition('ContentMetadataReverted', contentEventSchemas.ContentMetadataReverted),
  ContentChannelPublished: definition('ContentChannelPublished', contentEventSchemas.ContentChannelPublished),
  ContentChannelUnpublished: definition(
    'ContentChannelUnpublished',
    contentEventSchemas.ContentChannelUnpublished,
  ),
  ContentChannelDeliveryAttempted: definition(
    'ContentChannelDeliveryAttempted',
    contentEventSchemas.ContentChannelDeliveryAttempted,
  ),
  ContentChannelFailed: definition('ContentChannelFailed', contentEventSchemas.ContentChannelFailed),
  ContentStakeholdersNotified: definition(
    'ContentStakeholdersNotified',
    contentEventSchemas.ContentStakeholdersNotified,
  ),
  ContentPublished: definition('ContentPublished', contentEventSchemas.ContentPublished),
  ContentPublishFailed: definition('ContentPublishFailed', contentEventSchemas.ContentPublishFailed),
  ContentUnpublished: definition('ContentUnpublished', contentEventSchemas.ContentUnpublished),
  ContentArchived: definition('ContentArchived', contentEventSchemas.ContentArchived),
};
