import { contentEventCatalogue } from '../../domain/content/content-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import { CANCEL_PUBLICATION_SIGNAL, publishingWorkflowId, unpublishingWorkflowId } from './ids.ts';
import type { PublishingSettingsInput } from './settings.ts';
import type { PublishContentInput, UnpublishContentInput } from './types.ts';

export interface PublishingReactionOptions {
  taskQueue: string;
  /** Handed to every saga this starts (tests make retries fast); defaults otherwise. */
  settings?: PublishingSettingsInput;
}

/**
 * ContentPublishRequested starts the publication's saga, ContentPublishCancelled signals it (with
 * the event id, so a repeat is ignored), ContentUnpublished starts a saga that takes the content
 * off its channels. Workflow ids derive from the events: a replayed event starts nothing new.
 */
export function publishingReactions(options: PublishingReactionOptions): RegisteredReaction[] {
  const { taskQueue, settings } = options;
  return [
    defineReaction({
      name: 'publishing',
      catalogue: contentEventCatalogue,
      eventTypes: ['ContentPublishRequested', 'ContentPublishCancelled', 'ContentUnpublished'],
      react({ event, metadata, recorded }) {
        switch (event.type) {
          case 'ContentPublishRequested': {
            const { contentId, publicationId, publishAt } = event.data;
            const input: PublishContentInput = {
              contentId,
              publicationId,
              publishAt,
              causationId: recorded.id,
              correlationId: metadata.correlationId,
              ...(settings ? { settings } : {}),
            };
            return [
              {
                kind: 'start',
                workflowType: 'publishContent',
                workflowId: publishingWorkflowId(contentId, publicationId),
                taskQueue,
                args: [input],
              },
            ];
          }
          case 'ContentPublishCancelled': {
            const { contentId, publicationId } = event.data;
            return [
              {
                kind: 'signal',
                workflowId: publishingWorkflowId(contentId, publicationId),
                signal: CANCEL_PUBLICATION_SIGNAL,
                args: [{ eventId: recorded.id }],
              },
            ];
          }
          case 'ContentUnpublished': {
            const { contentId } = event.data;
            const input: UnpublishContentInput = {
              contentId,
              eventId: recorded.id,
              correlationId: metadata.correlationId,
              ...(settings ? { settings } : {}),
            };
            return [
              {
                kind: 'start',
                workflowType: 'unpublishContent',
                workflowId: unpublishingWorkflowId(contentId, recorded.id),
                taskQueue,
                args: [input],
              },
            ];
          }
          default:
            return [];
        }
      },
    }),
  ];
}
