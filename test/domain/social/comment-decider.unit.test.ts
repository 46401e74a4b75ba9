import { describe, expect, it } from 'vitest';
import type {
  CommentCommand,
  CommentedVideo,
  ParentComment,
} from '../../../src/domain/social/comment-commands.ts';
import { commentDecider } from '../../../src/domain/social/comment-decider.ts';
import type { CommentEvent } from '../../../src/domain/social/comment-events.ts';
import { mentionedUsernames } from '../../../src/domain/social/comment-values.ts';
import { anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const AUTHOR = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const OWNER = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const OTHER = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const VIDEO = '4d4c3f51-6e70-4182-9d2e-3f4a5b6c7d8e';
const OTHER_VIDEO = '5e5d4062-7f81-4293-8e3f-4a5b6c7d8e9f';
const ROOT = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const REPLY = '707f6284-91a3-44b5-a051-6c7d8e9fa0b1';
const now = new Date('2025-06-02T09:30:00.000Z');

const video: CommentedVideo = {
  videoId: VIDEO,
  ownerId: OWNER,
  deleted: false,
  commentsOff: false,
  blockedWithOwner: false,
};
const author = by(asUser(AUTHOR), now);
const post = (overrides: Partial<Extract<CommentCommand, { type: 'PostComment' }>> = {}): CommentCommand => ({
  type: 'PostComment',
  commentId: ROOT,
  video,
  parentId: null,
  parent: null,
  body: '  Clean landing  ',
  mentions: [],
  ...overrides,
});
const posted: CommentEvent = {
  type: 'CommentPosted',
  data: {
    commentId: ROOT,
    videoId: VIDEO,
    authorId: AUTHOR,
    parentId: null,
    rootId: ROOT,
    depth: 0,
    body: 'Clean landing',
    mentions: [],
  },
};
const parent: ParentComment = {
  commentId: ROOT,
  videoId: VIDEO,
  rootId: ROOT,
  depth: 0,
  deleted: false,
  hidden: false,
  blockedWithAuthor: false,
};

const spec = deciderSpec(commentDecider);

describe('posting', () => {
  it('posts a trimmed top-level comment as the root of its thread', () => {
    spec.given([]).when(post(), author).then([posted]);
  });

  it('posts a reply one level below its parent, in the parent’s thread', () => {
    const deep: ParentComment = { ...parent, commentId: REPLY, depth: 4 };
    spec
      .given([])
      .when(
        post({ commentId: '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2', parentId: REPLY, parent: deep }),
        author,
      )
      .then([
        {
          type: 'CommentPosted',
          data: {
            ...posted.data,
            commentId: '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2',
            parentId: REPLY,
            rootId: ROOT,
            depth: 5,
          },
        },
      ]);
  });

  it('keeps the mentions the words hold, never the author’s own', () => {
    spec
      .given([])
      .when(
        post({
          body: 'nice @Bob_1 and @me, cc @ghost',
          mentions: [
            { username: 'bob_1', userId: OTHER },
            { username: 'me', userId: AUTHOR },
            { username: 'carol', userId: OWNER },
          ],
        }),
        author,
      )
      .then([
        {
          type: 'CommentPosted',
          data: {
            ...posted.data,
            body: 'nice @Bob_1 and @me, cc @ghost',
            mentions: [{ username: 'bob_1', userId: OTHER }],
          },
        },
      ]);
  });

  it('marks a comment held when its hold is stored, and only then', () => {
    spec
      .given([])
      .when(post({ held: true }), author)
      .then([{ type: 'CommentPosted', data: { ...posted.data, held: true } }]);
    spec
      .given([])
      .when(post({ held: false }), author)
      .then([posted]);
  });

  it('refuses empty and over-long comments', () => {
    spec
      .given([])
      .when(post({ body: '   ' }), author)
      .thenThrows('VALIDATION', 'EMPTY_COMMENT');
    spec
      .given([])
      .when(post({ body: 'x'.repeat(4_001) }), author)
      .thenThrows('VALIDATION', 'COMMENT_TOO_LONG');
    spec
      .given([])
      .when(post({ body: 'x'.repeat(4_000) }), author)
      .then([{ ...posted, data: { ...posted.data, body: 'x'.repeat(4_000) } }]);
  });

  it('refuses missing or deleted videos, and videos of someone blocked either way, alike', () => {
    spec
      .given([])
      .when(post({ video: null }), author)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(post({ video: { ...video, deleted: true } }), author)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
    spec
      .given([])
      .when(post({ video: { ...video, blockedWithOwner: true } }), author)
      .thenThrows('NOT_FOUND', 'VIDEO_POST_NOT_FOUND');
  });

  it('refuses comments where the owner turned them off', () => {
    spec
      .given([])
      .when(post({ video: { ...video, commentsOff: true } }), author)
      .thenThrows('FORBIDDEN', 'COMMENTS_OFF');
  });

  it('refuses replies to a missing or deleted comment, or to one on another video', () => {
    const reply = { commentId: REPLY, parentId: ROOT };
    spec
      .given([])
      .when(post({ ...reply, parent: null }), author)
      .thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
    spec
      .given([])
      .when(post({ ...reply, parent: { ...parent, videoId: OTHER_VIDEO } }), author)
      .thenThrows('VALIDATION', 'PARENT_ON_OTHER_VIDEO');
    spec
      .given([])
      .when(post({ ...reply, parent: { ...parent, deleted: true } }), author)
      .thenThrows('CONFLICT', 'COMMENT_DELETED');
  });

  it('refuses a reply to a comment the replier cannot see (hidden, held, or its author blocked either way) as missing', () => {
    const reply = { commentId: REPLY, parentId: ROOT };
    spec
      .given([])
      .when(post({ ...reply, parent: { ...parent, hidden: true } }), author)
      .thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
    spec
      .given([])
      .when(post({ ...reply, parent: { ...parent, blockedWithAuthor: true } }), author)
      .thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
  });

  it('is for people only, and only once per id', () => {
    spec.given([]).when(post(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(post(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
    spec.given([posted]).when(post(), author).thenThrows('CONFLICT', 'COMMENT_EXISTS');
  });
});

describe('editing', () => {
  const edit = (body: string): CommentCommand => ({ type: 'EditComment', body, mentions: [] });
  const edited = (body: string): CommentEvent => ({
    type: 'CommentEdited',
    data: { commentId: ROOT, videoId: VIDEO, body, mentions: [] },
  });

  it('records new words; the same words again decide nothing', () => {
    spec
      .given([posted])
      .when(edit('Cleaner landing'), author)
      .then([edited('Cleaner landing')]);
    spec.given([posted]).when(edit(' Clean landing'), author).thenNothing();
  });

  it('marks new words held when their hold is stored; the same words again decide nothing, held or not', () => {
    spec
      .given([posted])
      .when({ type: 'EditComment', body: 'Cleaner landing', mentions: [], held: true }, author)
      .then([
        {
          type: 'CommentEdited',
          data: { commentId: ROOT, videoId: VIDEO, body: 'Cleaner landing', mentions: [], held: true },
        },
      ]);
    spec
      .given([posted])
      .when({ type: 'EditComment', body: 'Clean landing', mentions: [], held: true }, author)
      .thenNothing();
  });

  it('is for the author only, on a comment that is not deleted, within the same limits', () => {
    spec
      .given([posted])
      .when(edit('mine now'), by(asUser(OWNER), now))
      .thenThrows('FORBIDDEN', 'NOT_COMMENT_AUTHOR');
    spec
      .given([posted])
      .when(edit('x'), by(asUser(OTHER, 'moderator'), now))
      .thenThrows('FORBIDDEN', 'NOT_COMMENT_AUTHOR');
    spec.given([]).when(edit('x'), author).thenThrows('NOT_FOUND', 'COMMENT_NOT_FOUND');
    spec
      .given([posted, deleted(AUTHOR)])
      .when(edit('back'), author)
      .thenThrows('NOT_FOUND', 'COMMENT_DELETED');
    spec.given([posted]).when(edit(''), author).thenThrows('VALIDATION', 'EMPTY_COMMENT');
  });
});

const deleted = (deletedBy: string): CommentEvent => ({
  type: 'CommentDeleted',
  data: { commentId: ROOT, videoId: VIDEO, deletedBy },
});

describe('deleting', () => {
  const remove: CommentCommand = { type: 'DeleteComment', videoOwnerId: OWNER };

  it('is for the author, the video’s owner and moderators; twice decides nothing', () => {
    spec
      .given([posted])
      .when(remove, author)
      .then([deleted(AUTHOR)]);
    spec
      .given([posted])
      .when(remove, by(asUser(OWNER), now))
      .then([deleted(OWNER)]);
    spec
      .given([posted])
      .when(remove, by(asUser(OTHER, 'moderator'), now))
      .then([deleted(OTHER)]);
    spec
      .given([posted, deleted(AUTHOR)])
      .when(remove, author)
      .thenNothing();
  });

  it('refuses anyone else', () => {
    spec
      .given([posted])
      .when(remove, by(asUser(OTHER), now))
      .thenThrows('FORBIDDEN', 'NOT_COMMENT_AUTHOR');
    spec
      .given([posted])
      .when({ type: 'DeleteComment', videoOwnerId: null }, by(asUser(OWNER), now))
      .thenThrows('FORBIDDEN', 'NOT_COMMENT_AUTHOR');
  });
});

describe('mentions in words', () => {
  it('finds @usernames once each, lower-cased, not inside e-mail addresses', () => {
    expect(mentionedUsernames('@Ada and @ada, mail ada@example.org, @bo, @carol.')).toEqual(['ada', 'carol']);
  });
});
