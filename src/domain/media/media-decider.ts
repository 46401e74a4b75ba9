import type { Decider } from '../shared/decider.ts';
import { notFound } from '../shared/domain-error.ts';
import type { MediaCommand } from './media-commands.ts';
import { type MediaEvent, mediaEventCatalogue } from './media-events.ts';
import { decideForProcessing } from './media-processing.ts';
import { evolveMedia, initialMediaState, type MediaState } from './media-state.ts';
import { deleteMedia, recordUpload, requestUpload } from './media-uploads.ts';

export const mediaDecider: Decider<MediaCommand, MediaEvent, MediaState> = {
  initialState: initialMediaState,
  evolve: evolveMedia,
  decide(command, state, context) {
    if (command.type === 'RequestUpload') return requestUpload(command, state, context);
    if (state.status === 'none') throw notFound('MEDIA_NOT_FOUND', 'No such media');
    switch (command.type) {
      case 'RecordUpload':
        return recordUpload(command, state, context);
      case 'DeleteMedia':
        return deleteMedia(state, context);
      case 'StartProcessing':
      case 'RecordProgress':
      case 'RecordProbe':
      case 'RecordModeration':
      case 'MarkReady':
      case 'FailProcessing':
        return decideForProcessing(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown media command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The media aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const mediaAggregate = { decider: mediaDecider, catalogue: mediaEventCatalogue };
