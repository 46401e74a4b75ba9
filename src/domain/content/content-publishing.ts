import { z } from 'zod';
import { validOr } from '../brands/validate.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import type { ContentSagaCommand, ContentUserCommand } from './content-commands.ts';
import type { ContentEvent } from './content-events.ts';
import { admitTo, requireRole, requireSystem } from './content-policy.ts';
import { type Content, type Publication, stepKey } from './content-state.ts';
import { attemptNumber, contentMetadata, deliveryFailure } from './content-values.ts';

type UserCommandOf<Type extends ContentUserCommand['type']> = Extract<ContentUserCommand, { type: Type }>;
type SagaCommandOf<Type extends ContentSagaCommand['type']> = Extract<ContentSagaCommand, { type: Type }>;

const requestedInstant = z.iso.datetime({ offset: true });
const note = z.string().max(2000);

/**
 * Publishes the approved version to the brand's channels as they are now: later, when `publishAt`
 * is in the future, otherwise at once (recorded as `publishAt: null`).
 */
export function requestPublish(
  command: UserCommandOf<'RequestPublish'>,
  content: Content,
  { actor, now }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'approver', 'publish content');
  if (content.status !== 'approved') {
    throw conflict('NOT_APPROVED', 'Only approved content can be published', { status: content.status });
  }
  if (content.publication?.publicationId === command.publicationId) {
    throw conflict('PUBLICATION_EXISTS', 'This publication id is already used');
  }
  const requested = command.publishAt ?? null;
  const at =
    requested && new Date(validOr(requestedInstant, requested, 'INVALID_PUBLISH_AT', 'publish time'));
  const publishAt = at && at.getTime() > now.getTime() ? at.toISOString() : null;
  return [
    {
      type: 'ContentPublishRequested',
      data: {
        contentId: content.contentId,
        publicationId: command.publicationId,
        version: content.version,
        requestedBy: by,
        publishAt,
        channels: command.brand.channels.map((channel) => ({ ...channel })),
      },
    },
  ];
}

/** Calls a publication off while nothing is live yet: scheduled, or publishing before any channel. */
export function cancelPublish(
  command: UserCommandOf<'CancelPublish'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'approver', 'cancel a publication');
  const publication = current(content, command.publicationId);
  if (publication.outcome === 'cancelled') return [];
  if (publication.outcome !== 'pending') throw ended(publication);
  if (publication.channelsDone.length > 0) {
    throw conflict('CHANNELS_PUBLISHED', 'The content is already on a channel; let the publication finish');
  }
  return [
    {
      type: 'ContentPublishCancelled',
      data: { contentId: content.contentId, publicationId: publication.publicationId, cancelledBy: by },
    },
  ];
}

export function unpublishContent(
  command: UserCommandOf<'UnpublishContent'>,
  content: Content,
  { actor }: DecisionContext,
): ContentEvent[] {
  const { by, role } = admitTo(content, command.access, actor);
  requireRole(role, 'approver', 'unpublish content');
  if (content.status !== 'published') {
    throw conflict('NOT_PUBLISHED', 'This content is not published', { status: content.status });
  }
  const reason = validOr(note.nullable(), command.reason ?? null, 'INVALID_REASON', 'reason');
  return [{ type: 'ContentUnpublished', data: { contentId: content.contentId, unpublishedBy: by, reason } }];
}

/**
 * The publishing saga's commands. Each first answers "already recorded?" (then it decides nothing,
 * so an activity may retry) and only then "may this happen now?". Progress (start, metadata,
 * channels, completion, failure) needs a running publication; compensations and progress notes
 * are accepted for the current publication whatever its outcome, as undoing follows failing.
 */
export function decideForPublication(
  command: ContentSagaCommand,
  content: Content,
  { actor, now }: DecisionContext,
): ContentEvent[] {
  requireSystem(actor);
  if (content.status === 'archived') throw conflict('CONTENT_ARCHIVED', 'This content is archived');
  const publication = current(content, command.publicationId);
  const ids = { contentId: content.contentId, publicationId: publication.publicationId };
  if (command.type === 'StartPublication') {
    if (publication.started) return [];
    requirePending(publication);
    return [{ type: 'ContentPublishStarted', data: ids }];
  }
  if (!publication.started) {
    throw conflict('PUBLICATION_NOT_STARTED', 'This publication has not started yet');
  }
  switch (command.type) {
    case 'RecordPublishStep':
      return recordStep(command, publication, ids);
    case 'RecordMetadata': {
      // The first metadata generated for a publication stands; a retried generation changes nothing.
      if (publication.metadata) return [];
      requirePending(publication);
      const metadata = validOr(contentMetadata, command.metadata, 'INVALID_METADATA', 'metadata');
      return [{ type: 'ContentMetadataGenerated', data: { ...ids, metadata, previous: content.metadata } }];
    }
    case 'RevertMetadata':
      if (!publication.metadata || publication.metadata.reverted) return [];
      return [{ type: 'ContentMetadataReverted', data: { ...ids, metadata: publication.metadata.previous } }];
    case 'RecordChannelPublished':
      return channelPublished(command, publication, ids);
    case 'RecordChannelUnpublished': {
      const channel = channelOf(publication, command.channelId);
      const onIt =
        publication.channelsDone.includes(channel.channelId) ||
        publication.channelsReached.includes(channel.channelId);
      if (!onIt) return [];
      return [
        {
          type: 'ContentChannelUnpublished',
          data: { ...ids, channelId: channel.channelId, kind: channel.kind },
        },
      ];
    }
    case 'RecordDeliveryAttempt':
      return deliveryAttempted(command, publication, ids);
    case 'RecordChannelFailed':
      return channelFailed(command, publication, ids);
    case 'RecordStakeholdersNotified': {
      if (publication.notified.includes(command.outcome)) return [];
      const recipients = [...new Set(command.recipients)];
      return [
        { type: 'ContentStakeholdersNotified', data: { ...ids, outcome: command.outcome, recipients } },
      ];
    }
    case 'CompletePublication':
      return complete(publication, ids, now);
    case 'FailPublication': {
      if (publication.outcome === 'failed') return [];
      requirePending(publication);
      const reasons = validOr(z.array(note), command.reasons, 'INVALID_REASONS', 'failure reasons');
      return [{ type: 'ContentPublishFailed', data: { ...ids, stage: command.stage, reasons } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`Unknown publication command ${JSON.stringify(unknown)}`);
    }
  }
}

interface PublicationIds {
  contentId: string;
  publicationId: string;
}

function recordStep(
  command: SagaCommandOf<'RecordPublishStep'>,
  publication: Publication,
  ids: PublicationIds,
): ContentEvent[] {
  const { step, outcome } = command;
  if (publication.stepsRecorded.includes(stepKey(step, outcome))) return [];
  const detail = validOr(note.nullable(), command.detail ?? null, 'INVALID_DETAIL', 'step detail');
  return [{ type: 'ContentPublishStepRecorded', data: { ...ids, step, outcome, detail } }];
}

function channelPublished(
  command: SagaCommandOf<'RecordChannelPublished'>,
  publication: Publication,
  ids: PublicationIds,
): ContentEvent[] {
  const channel = channelOf(publication, command.channelId);
  if (publication.channelsDone.includes(channel.channelId)) return [];
  requirePending(publication);
  const location = validOr(note.nullable(), command.location ?? null, 'INVALID_LOCATION', 'location');
  return [
    {
      type: 'ContentChannelPublished',
      data: { ...ids, channelId: channel.channelId, kind: channel.kind, location },
    },
  ];
}

/**
 * Each attempt once: a repeated or older attempt number decides nothing, and so does an attempt on
 * a channel already settled (an attempt Temporal had given up on, reporting late). A failed
 * attempt says why; a delivered one has nothing to say.
 */
function deliveryAttempted(
  command: SagaCommandOf<'RecordDeliveryAttempt'>,
  publication: Publication,
  ids: PublicationIds,
): ContentEvent[] {
  const { channelId } = channelOf(publication, command.channelId);
  const attempt = validOr(attemptNumber, command.attempt, 'INVALID_ATTEMPT', 'attempt number');
  const settled =
    publication.channelsDone.includes(channelId) || publication.channelsFailed.includes(channelId);
  if (settled || attempt <= (publication.deliveryAttempts[channelId] ?? 0)) return [];
  requirePending(publication);
  const failure = command.failure ?? null;
  if ((command.outcome === 'failed') !== (failure !== null)) {
    throw validation(
      'INVALID_DELIVERY_FAILURE',
      'A failed attempt says why it failed, a delivered one does not',
    );
  }
  return [
    {
      type: 'ContentChannelDeliveryAttempted',
      data: {
        ...ids,
        channelId,
        attempt,
        outcome: command.outcome,
        failure: failure && validOr(deliveryFailure, failure, 'INVALID_DELIVERY_FAILURE', 'delivery failure'),
      },
    },
  ];
}

/** A channel fails once, and only one the content did not reach. */
function channelFailed(
  command: SagaCommandOf<'RecordChannelFailed'>,
  publication: Publication,
  ids: PublicationIds,
): ContentEvent[] {
  const { channelId, kind } = channelOf(publication, command.channelId);
  if (publication.channelsFailed.includes(channelId)) return [];
  if (publication.channelsDone.includes(channelId)) {
    throw conflict('CHANNEL_PUBLISHED', 'The content is on this channel; it did not fail');
  }
  requirePending(publication);
  const failure = validOr(deliveryFailure, command.failure, 'INVALID_DELIVERY_FAILURE', 'delivery failure');
  return [{ type: 'ContentChannelFailed', data: { ...ids, channelId, kind, failure } }];
}

/** Published means on every channel the publication was requested for. */
function complete(publication: Publication, ids: PublicationIds, now: Date): ContentEvent[] {
  if (publication.outcome === 'published') return [];
  requirePending(publication);
  const missing = publication.channels
    .map((channel) => channel.channelId)
    .filter((channelId) => !publication.channelsDone.includes(channelId));
  if (missing.length > 0) {
    throw conflict('CHANNELS_PENDING', 'Not every channel has been published to', { missing });
  }
  return [
    {
      type: 'ContentPublished',
      data: { ...ids, version: publication.version, publishedAt: now.toISOString() },
    },
  ];
}

/** The content's current publication, if it is the one named; an older or unknown one is stale. */
function current(content: Content, publicationId: string): Publication {
  const publication = content.publication;
  if (!publication || publication.publicationId !== publicationId) {
    throw conflict('STALE_PUBLICATION', 'This is not the content’s current publication', {
      current: publication?.publicationId ?? null,
    });
  }
  return publication;
}

function requirePending(publication: Publication): void {
  if (publication.outcome !== 'pending') throw ended(publication);
}

const ended = (publication: Publication) =>
  conflict('PUBLICATION_ENDED', `This publication has ended (${publication.outcome})`, {
    outcome: publication.outcome,
  });

function channelOf(publication: Publication, channelId: string) {
  const channel = publication.channels.find((each) => each.channelId === channelId);
  if (!channel) throw notFound('UNKNOWN_CHANNEL', 'This publication does not go to that channel');
  return channel;
}
