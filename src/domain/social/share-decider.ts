import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import { type ShareEvent, type SharePlatform, shareEventCatalogue } from './share-events.ts';

/** The shared video as the service read it (its stream, the block list). Null when there is none. */
export interface SharedVideo {
  videoId: string;
  deleted: boolean;
  /** Private videos have no link to share; the sharer and owner blocked one another. */
  shareable: boolean;
}

export type ShareCommand = {
  type: 'ShareVideo';
  shareId: string;
  video: SharedVideo | null;
  platform: SharePlatform;
};

export type ShareState = { status: 'none' } | { status: 'shared'; videoId: string };

/** A share is a fact recorded once; its URL names it, so whoever follows the link is attributed to it. */
export const shareDecider: Decider<ShareCommand, ShareEvent, ShareState> = {
  initialState: { status: 'none' },
  evolve: (_state, event) => ({ status: 'shared', videoId: event.data.videoId }),
  decide(command, state, { actor }) {
    if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
    if (actor.kind === 'system') throw forbidden('PEOPLE_ONLY', 'Only a person shares');
    if (state.status !== 'none') throw conflict('SHARE_EXISTS', 'This share is already recorded');
    const { video } = command;
    if (video === null || video.deleted || !video.shareable) {
      throw notFound('VIDEO_POST_NOT_FOUND', 'No such video post');
    }
    const sharerId = actor.kind === 'user' ? actor.userId : actor.ownerId;
    return [
      {
        type: 'VideoShared',
        data: { shareId: command.shareId, videoId: video.videoId, sharerId, platform: command.platform },
      },
    ];
  },
};

export const shareAggregate = { decider: shareDecider, catalogue: shareEventCatalogue };
