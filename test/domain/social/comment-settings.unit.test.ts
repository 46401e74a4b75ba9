import { describe, it } from 'vitest';
import {
  type CommentSettingsCommand,
  type CommentSettingsEvent,
  commentSettingsDecider,
  type SettingsVideo,
} from '../../../src/domain/social/comment-settings.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const OWNER = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const OTHER = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const VIDEO = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const now = new Date('2025-06-02T09:30:00.000Z');

const video: SettingsVideo = { videoId: VIDEO, ownerId: OWNER, deleted: false };
const set = (enabled: boolean, target: SettingsVideo | null = video): CommentSettingsCommand => ({
  type: 'SetCommentsEnabled',
  video: target,
  enabled,
});
const off: CommentSettingsEvent = { type: 'CommentsTurnedOff', data: { videoId: VIDEO, by: OWNER } };
const on: CommentSettingsEvent = { type: 'CommentsTurnedOn', data: { videoId: VIDEO, by: OWNER } };
const owner = by(asUser(OWNER), now);
const spec = deciderSpec(commentSettingsDecider);

describe('comments on or off', () => {
  it('turns comments off and on again; asking for the current setting decides nothing', () => {
    spec.given([]).when(set(false), owner).then([off]);
    spec.given([off]).when(set(true), owner).then([on]);
    spec.given([]).when(set(true), owner).thenNothing();
    spec.given([off]).when(set(false), owner).thenNothing();
  });

  it('is the owner’s (or an admin’s) decision, on a video that exists', () => {
    spec
      .given([])
      .when(set(false), by(asUser(OTHER), now))
      .thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec
      .given([])
      .when(set(false), by(asUser(OTHER, 'moderator'), now))
      .thenThrows('FORBIDDEN', 'NOT_VIDEO_OWNER');
    spec
      .given([])
      .when(set(false), by(asUser(OTHER, 'admin'), now))
      .then([{ type: 'CommentsTurnedOff', data: { videoId: VIDEO, by: OTHER } }]);
    spec.given([]).when(set(false, null), owner).thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(set(false, { ...video, deleted: true }), owner)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
  });
});
