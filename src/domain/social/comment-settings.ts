import { z } from 'zod';
import type { Decider } from '../shared/decider.ts';
import { forbidden, notFound } from '../shared/domain-error.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/**
 * Whether a video takes comments, decided by its owner on a stream of its own
 * (`commentsettings-<video id>`), so the video post aggregate of round 1 stays as it was and a
 * switch never races an edit of the video.
 */
export const commentSettingsStream = (videoId: string) => `commentsettings-${videoId}`;

const data = z.object({ videoId: z.uuid(), by: z.string().min(1) });
export const commentSettingsEventSchemas = { CommentsTurnedOff: data, CommentsTurnedOn: data };
export type CommentSettingsEvent =
  | { type: 'CommentsTurnedOff'; data: z.infer<typeof data> }
  | { type: 'CommentsTurnedOn'; data: z.infer<typeof data> };

export const commentSettingsEventCatalogue: EventCatalogue<CommentSettingsEvent> = {
  CommentsTurnedOff: { type: 'CommentsTurnedOff', schemaVersion: 1, schema: data, publicFields: ['videoId'] },
  CommentsTurnedOn: { type: 'CommentsTurnedOn', schemaVersion: 1, schema: data, publicFields: ['videoId'] },
};

/** The video as its own stream tells it; null when there is no such video. */
export interface SettingsVideo {
  videoId: string;
  ownerId: string;
  deleted: boolean;
}

export type CommentSettingsCommand = {
  type: 'SetCommentsEnabled';
  video: SettingsVideo | null;
  enabled: boolean;
};
export type CommentSettingsState = { commentsOff: boolean };

export const commentSettingsDecider: Decider<
  CommentSettingsCommand,
  CommentSettingsEvent,
  CommentSettingsState
> = {
  initialState: { commentsOff: false },
  evolve: (_state, event) => ({ commentsOff: event.type === 'CommentsTurnedOff' }),
  decide(command, state, { actor }) {
    const { video } = command;
    if (video === null || video.deleted) throw notFound('VIDEO_POST_NOT_FOUND', 'No such video post');
    const admin = actor.kind === 'system' || (actor.kind === 'user' && actor.role === 'admin');
    const person = actor.kind === 'user' ? actor.userId : actor.kind === 'integration' ? actor.ownerId : null;
    if (person !== video.ownerId && !admin) {
      throw forbidden('NOT_VIDEO_OWNER', 'Only the video’s owner turns its comments on or off');
    }
    const by = person ?? (actor.kind === 'system' ? `system:${actor.process}` : 'anonymous');
    if (command.enabled === !state.commentsOff) return [];
    return [
      {
        type: command.enabled ? 'CommentsTurnedOn' : 'CommentsTurnedOff',
        data: { videoId: video.videoId, by },
      },
    ];
  },
};

export const commentSettingsAggregate = {
  decider: commentSettingsDecider,
  catalogue: commentSettingsEventCatalogue,
};
