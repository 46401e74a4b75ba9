import { describe, it } from 'vitest';
import {
  type ShareCommand,
  type SharedVideo,
  shareDecider,
} from '../../../src/domain/social/share-decider.ts';
import type { ShareEvent } from '../../../src/domain/social/share-events.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const FAN = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const VIDEO = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const SHARE = '4d4c3f51-6e70-4182-9d2e-3f4a5b6c7d8e';
const now = new Date('2025-06-02T09:30:00.000Z');

const video: SharedVideo = { videoId: VIDEO, deleted: false, shareable: true };
const share = (target: SharedVideo | null = video): ShareCommand => ({
  type: 'ShareVideo',
  shareId: SHARE,
  video: target,
  platform: 'whatsapp',
});
const shared: ShareEvent = {
  type: 'VideoShared',
  data: { shareId: SHARE, videoId: VIDEO, sharerId: FAN, platform: 'whatsapp' },
};
const spec = deciderSpec(shareDecider);

describe('sharing', () => {
  it('records a share to a platform, attributed to the sharer (an API key’s owner too)', () => {
    spec
      .given([])
      .when(share(), by(asUser(FAN), now))
      .then([shared]);
    spec
      .given([])
      .when(share(), by(anIntegration(FAN, ['graphql:write']), now))
      .then([shared]);
  });

  it('refuses missing, deleted, private or blocked videos alike, and a share id used twice', () => {
    const fan = by(asUser(FAN), now);
    spec.given([]).when(share(null), fan).thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(share({ ...video, deleted: true }), fan)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(share({ ...video, shareable: false }), fan)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec.given([shared]).when(share(), fan).thenThrows('CONFLICT', 'SHARE_EXISTS');
  });

  it('is for people only', () => {
    spec.given([]).when(share(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(share(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });
});
