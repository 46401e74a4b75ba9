import { mediaEventCatalogue } from '../../domain/media/media-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import { DELETE_MEDIA_SIGNAL, purgeWorkflowId, transcodingWorkflowId } from './ids.ts';
import type { TranscodingSettingsInput } from './settings.ts';
import type { TranscodeMediaInput } from './types.ts';

export interface TranscodingReactionOptions {
  taskQueue: string;
  /** Handed to every saga this starts (tests make heartbeats and retries fast); defaults otherwise. */
  settings?: TranscodingSettingsInput;
}

/**
 * MediaUploaded starts the asset's transcoding saga; MediaDeleted signals it (it cancels its work
 * and removes what it stored) and starts the purge, which removes the renditions of a saga that
 * had already finished. Workflow ids derive from the asset: a replayed event starts nothing new.
 */
export function transcodingReactions(options: TranscodingReactionOptions): RegisteredReaction[] {
  const { taskQueue, settings } = options;
  return [
    defineReaction({
      name: 'transcoding',
      catalogue: mediaEventCatalogue,
      eventTypes: ['MediaUploaded', 'MediaDeleted'],
      react({ event, metadata, recorded }) {
        switch (event.type) {
          case 'MediaUploaded': {
            const input: TranscodeMediaInput = {
              assetId: event.data.assetId,
              causationId: recorded.id,
              correlationId: metadata.correlationId,
              ...(settings ? { settings } : {}),
            };
            return [
              {
                kind: 'start',
                workflowType: 'transcodeMedia',
                workflowId: transcodingWorkflowId(event.data.assetId),
                taskQueue,
                args: [input],
              },
            ];
          }
          case 'MediaDeleted': {
            const { assetId } = event.data;
            return [
              {
                kind: 'signal',
                workflowId: transcodingWorkflowId(assetId),
                signal: DELETE_MEDIA_SIGNAL,
                args: [{ eventId: recorded.id }],
              },
              {
                kind: 'start',
                workflowType: 'purgeMediaOutputs',
                workflowId: purgeWorkflowId(assetId),
                taskQueue,
                args: [{ assetId, ...(settings ? { settings } : {}) }],
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
