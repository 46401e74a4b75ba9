import type { Decider } from '../shared/decider.ts';
import { notFound } from '../shared/domain-error.ts';
import { archiveContent, createContent, restoreVersion, updateContent } from './content-authoring.ts';
import type { ContentCommand } from './content-commands.ts';
import { type ContentEvent, contentEventCatalogue } from './content-events.ts';
import {
  cancelPublish,
  decideForPublication,
  requestPublish,
  unpublishContent,
} from './content-publishing.ts';
import { approveContent, rejectContent, submitContent } from './content-review.ts';
import { type ContentState, evolveContent, initialContentState } from './content-state.ts';

export const contentDecider: Decider<ContentCommand, ContentEvent, ContentState> = {
  initialState: initialContentState,
  evolve: evolveContent,
  decide(command, state, context) {
    if (command.type === 'CreateContent') return createContent(command, state, context);
    if (state.status === 'none') throw notFound('CONTENT_NOT_FOUND', 'No such content');
    switch (command.type) {
      case 'UpdateContent':
        return updateContent(command, state, context);
      case 'RestoreVersion':
        return restoreVersion(command, state, context);
      case 'ArchiveContent':
        return archiveContent(command, state, context);
      case 'SubmitContent':
        return submitContent(command, state, context);
      case 'ApproveContent':
        return approveContent(command, state, context);
      case 'RejectContent':
        return rejectContent(command, state, context);
      case 'RequestPublish':
        return requestPublish(command, state, context);
      case 'CancelPublish':
        return cancelPublish(command, state, context);
      case 'UnpublishContent':
        return unpublishContent(command, state, context);
      case 'StartPublication':
      case 'RecordPublishStep':
      case 'RecordMetadata':
      case 'RevertMetadata':
      case 'RecordChannelPublished':
      case 'RecordChannelUnpublished':
      case 'RecordDeliveryAttempt':
      case 'RecordChannelFailed':
      case 'RecordStakeholdersNotified':
      case 'CompletePublication':
      case 'FailPublication':
        return decideForPublication(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown content command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The content aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const contentAggregate = { decider: contentDecider, catalogue: contentEventCatalogue };
