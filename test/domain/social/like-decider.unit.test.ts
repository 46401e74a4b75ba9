import { describe, it } from 'vitest';
import type { LikeCommand, LikedContent } from '../../../src/domain/social/like-commands.ts';
import { likeDecider } from '../../../src/domain/social/like-decider.ts';
import type { LikeEvent } from '../../../src/domain/social/like-events.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const FAN = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const CREATOR = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const VIDEO = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const now = new Date('2025-06-02T09:30:00.000Z');

const video: LikedContent = {
  kind: 'video',
  id: VIDEO,
  authorId: CREATOR,
  deleted: false,
  blockedWithAuthor: false,
  videoUnseen: false,
};
const fan = by(asUser(FAN), now);
const like = (content: LikedContent | null = video): LikeCommand => ({ type: 'Like', content });
const unlike: LikeCommand = { type: 'Unlike' };
const data = { userId: FAN, targetKind: 'video' as const, targetId: VIDEO, authorId: CREATOR };
const liked: LikeEvent = { type: 'ContentLiked', data };
const unliked: LikeEvent = { type: 'ContentUnliked', data };

const spec = deciderSpec(likeDecider);

describe('liking', () => {
  it('likes once: liking again changes nothing', () => {
    spec.given([]).when(like(), fan).then([liked]);
    spec.given([liked]).when(like(), fan).thenNothing();
    spec.given([liked, unliked]).when(like(), fan).then([liked]);
  });

  it('likes comments the same way', () => {
    const comment: LikedContent = { ...video, kind: 'comment' };
    spec
      .given([])
      .when(like(comment), fan)
      .then([{ type: 'ContentLiked', data: { ...data, targetKind: 'comment' } }]);
  });

  it('likes for the owner of an API key', () => {
    spec
      .given([])
      .when(like(), by(anIntegration(FAN, ['graphql:write']), now))
      .then([liked]);
  });

  it('refuses missing and deleted content, and content of someone blocked either way, alike', () => {
    spec.given([]).when(like(null), fan).thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(like({ ...video, deleted: true }), fan)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(like({ ...video, blockedWithAuthor: true }), fan)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(like({ ...video, kind: 'comment', deleted: true }), fan)
      .thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
  });

  it('refuses a comment on a video the liker cannot see as a missing comment', () => {
    spec
      .given([])
      .when(like({ ...video, kind: 'comment', videoUnseen: true }), fan)
      .thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
  });

  it('is for people only', () => {
    spec.given([]).when(like(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(like(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });
});

describe('unliking', () => {
  it('takes a like back once, even of content deleted since', () => {
    spec.given([liked]).when(unlike, fan).then([unliked]);
    spec.given([liked, unliked]).when(unlike, fan).thenNothing();
    spec.given([]).when(unlike, fan).thenNothing();
  });
});
