import { describe, expect, it } from 'vitest';
import {
  containsLink,
  MAX_BODY_LENGTH,
  MAX_REPLY_DEPTH,
  MAX_TITLE_LENGTH,
} from '../../../src/domain/communities/discussion-values.ts';
import type { CommunityRole } from '../../../src/domain/communities/policy.ts';
import type { CommunityPostCommand, TrustFacts } from '../../../src/domain/communities/post-commands.ts';
import { communityPostDecider } from '../../../src/domain/communities/post-decider.ts';
import {
  type CommunityPostEvent,
  type CommunityPostEventOf,
  communityPostEventCatalogue,
} from '../../../src/domain/communities/post-events.ts';
import { evolveCommunityPost, type Post } from '../../../src/domain/communities/post-state.ts';
import { communityMemberSubject } from '../../../src/domain/communities/streams.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ANA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BEN = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const MOD = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const COMMUNITY = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const OTHER_COMMUNITY = '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2';
const THREAD = '707f6284-91a3-44b5-a051-6c7d8e9fa0b1';
const REPLY = '92a184ab-b3c5-46d7-8273-8e9fa0b1c2d3';
const NEW_REPLY = 'a3b295bc-c4d6-47e8-9384-9fa0b1c2d3e4';
const now = new Date('2026-12-07T08:00:00.000Z');

const spec = deciderSpec(communityPostDecider);
const context = by(asUser(ANA), now);
const member = (userId: string, role: CommunityRole = 'member') => ({ userId, role });
const noGates: TrustFacts = { trust: 0, minTrustToStartThreads: 0, minTrustToPostLinks: 0 };
const gates = (trust: number): TrustFacts => ({ trust, minTrustToStartThreads: 20, minTrustToPostLinks: 50 });

const threadStarted = (authorId = ANA): CommunityPostEventOf<'CommunityThreadStarted'> => ({
  type: 'CommunityThreadStarted',
  data: {
    communityId: COMMUNITY,
    postId: THREAD,
    authorId,
    title: 'Fractions',
    body: 'How do I add 1/3 and 1/4?',
  },
});
const replyPosted = (authorId = BEN, depth = 1, parentId = THREAD): CommunityPostEvent => ({
  type: 'CommunityReplyPosted',
  data: {
    communityId: COMMUNITY,
    postId: REPLY,
    threadId: THREAD,
    parentId,
    authorId,
    body: 'Use 12ths',
    depth,
  },
});
const ids = (postId: string, authorId: string) => ({
  communityId: COMMUNITY,
  postId,
  threadId: THREAD,
  authorId,
});
const fold = (events: CommunityPostEvent[]): Post => {
  const state = events.reduce(evolveCommunityPost, communityPostDecider.initialState);
  if (state.status === 'none') throw new Error('no post');
  return state;
};
const openThread = fold([threadStarted()]);
const aReply = (depth = 1) => fold([replyPosted(BEN, depth)]);

type Start = Extract<CommunityPostCommand, { type: 'StartCommunityThread' }>;
const start = (overrides: Partial<Start> = {}): Start => ({
  type: 'StartCommunityThread',
  communityId: COMMUNITY,
  postId: THREAD,
  title: '  Fractions ',
  body: ' How do I add 1/3 and 1/4? ',
  member: member(ANA),
  trust: noGates,
  ...overrides,
});
type Reply = Extract<CommunityPostCommand, { type: 'ReplyInCommunity' }>;
const replyTo = (parent: Post, overrides: Partial<Reply> = {}): Reply => ({
  type: 'ReplyInCommunity',
  communityId: COMMUNITY,
  postId: NEW_REPLY,
  parent,
  thread: openThread,
  body: 'Thanks!',
  member: member(ANA),
  trust: noGates,
  ...overrides,
});

describe('starting a thread', () => {
  it('stores the trimmed title and body under the author', () => {
    spec.given([]).when(start(), context).then([threadStarted()]);
  });

  it('refuses an empty title, a title or body over the limit, and an empty body', () => {
    spec
      .given([])
      .when(start({ title: '  ' }), context)
      .thenThrows('VALIDATION', 'TITLE_REQUIRED');
    spec
      .given([])
      .when(start({ title: 'x'.repeat(MAX_TITLE_LENGTH + 1) }), context)
      .thenThrows('VALIDATION', 'TITLE_TOO_LONG');
    spec
      .given([])
      .when(start({ body: '' }), context)
      .thenThrows('VALIDATION', 'BODY_REQUIRED');
    spec
      .given([])
      .when(start({ body: 'x'.repeat(MAX_BODY_LENGTH + 1) }), context)
      .thenThrows('VALIDATION', 'BODY_TOO_LONG');
  });

  it('counts characters, not UTF-16 units: a title of emoji at the limit passes', () => {
    const title = '🧮'.repeat(MAX_TITLE_LENGTH);
    const [event] = communityPostDecider.decide(start({ title }), { status: 'none' }, context);
    expect(event?.data).toMatchObject({ title });
  });

  it('refuses a member below the community minimum, with the minimum in the details', () => {
    spec
      .given([])
      .when(start({ trust: gates(19) }), context)
      .thenThrows('FORBIDDEN', 'TRUST_TOO_LOW');
    expect(() =>
      communityPostDecider.decide(start({ trust: gates(0) }), { status: 'none' }, context),
    ).toThrow(expect.objectContaining({ details: { minimum: 20, gate: 'start threads' } }));
    spec
      .given([])
      .when(start({ trust: gates(20) }), context)
      .then([threadStarted()]);
  });

  it('asks the link minimum of a thread carrying a link, in its title or body', () => {
    const linked = start({ body: 'See https://example.org/fractions', trust: gates(30) });
    spec.given([]).when(linked, context).thenThrows('FORBIDDEN', 'TRUST_TOO_LOW');
    spec
      .given([])
      .when({ ...linked, title: 'cheap pills at pills.com', body: 'no' }, context)
      .thenThrows('FORBIDDEN', 'TRUST_TOO_LOW');
    spec
      .given([])
      .when({ ...linked, trust: gates(50) }, context)
      .then([
        {
          type: 'CommunityThreadStarted',
          data: { ...threadStarted().data, body: 'See https://example.org/fractions' },
        },
      ]);
  });

  it('spares owners and moderators every trust gate', () => {
    for (const role of ['owner', 'moderator'] as const) {
      const linked = start({ member: member(ANA, role), body: 'www.example.org', trust: gates(0) });
      spec
        .given([])
        .when(linked, context)
        .then([
          { type: 'CommunityThreadStarted', data: { ...threadStarted().data, body: 'www.example.org' } },
        ]);
    }
  });

  it('refuses a second start of the same post', () => {
    spec.given([threadStarted()]).when(start(), context).thenThrows('CONFLICT', 'POST_EXISTS');
  });
});

describe('replying', () => {
  it('answers the opener at depth 1 and a reply one level deeper', () => {
    spec
      .given([])
      .when(replyTo(openThread), context)
      .then([
        {
          type: 'CommunityReplyPosted',
          data: { ...ids(NEW_REPLY, ANA), parentId: THREAD, body: 'Thanks!', depth: 1 },
        },
      ]);
    spec
      .given([])
      .when(replyTo(aReply(3)), context)
      .then([
        {
          type: 'CommunityReplyPosted',
          data: { ...ids(NEW_REPLY, ANA), parentId: REPLY, body: 'Thanks!', depth: 4 },
        },
      ]);
  });

  it(`refuses a reply below depth ${MAX_REPLY_DEPTH}`, () => {
    spec
      .given([])
      .when(replyTo(aReply(MAX_REPLY_DEPTH - 1)), context)
      .then([
        {
          type: 'CommunityReplyPosted',
          data: { ...ids(NEW_REPLY, ANA), parentId: REPLY, body: 'Thanks!', depth: MAX_REPLY_DEPTH },
        },
      ]);
    spec
      .given([])
      .when(replyTo(aReply(MAX_REPLY_DEPTH)), context)
      .thenThrows('VALIDATION', 'TOO_DEEP');
  });

  it('refuses a missing parent, one of another community, and a missing thread', () => {
    spec
      .given([])
      .when(replyTo(openThread, { parent: null }), context)
      .thenThrows('NOT_FOUND', 'POST_NOT_FOUND');
    const elsewhere = { ...openThread, communityId: OTHER_COMMUNITY };
    spec.given([]).when(replyTo(elsewhere), context).thenThrows('NOT_FOUND', 'POST_NOT_FOUND');
    spec
      .given([])
      .when(replyTo(aReply(), { thread: null }), context)
      .thenThrows('NOT_FOUND', 'THREAD_NOT_FOUND');
  });

  it('refuses a reply in a deleted or removed thread, or to a deleted or removed post', () => {
    const deletedThread = fold([threadStarted(), { type: 'CommunityPostDeleted', data: ids(THREAD, ANA) }]);
    const removedThread = fold([
      threadStarted(),
      { type: 'CommunityPostRemoved', data: { ...ids(THREAD, ANA), removedBy: MOD, reason: 'spam' } },
    ]);
    spec
      .given([])
      .when(replyTo(deletedThread, { thread: deletedThread }), context)
      .thenThrows('CONFLICT', 'THREAD_DELETED');
    spec
      .given([])
      .when(replyTo(removedThread, { thread: removedThread }), context)
      .thenThrows('CONFLICT', 'THREAD_REMOVED');
    const removedReply = fold([
      replyPosted(),
      { type: 'CommunityPostRemoved', data: { ...ids(REPLY, BEN), removedBy: MOD, reason: 'rude' } },
    ]);
    spec.given([]).when(replyTo(removedReply), context).thenThrows('CONFLICT', 'POST_REMOVED');
  });

  it('asks the link minimum of a reply with a link, not of one without', () => {
    spec
      .given([])
      .when(replyTo(openThread, { body: 'bit.ly/abc', trust: gates(49) }), context)
      .thenThrows('FORBIDDEN', 'TRUST_TOO_LOW');
    // Starting threads needs 20: a reply needs nothing of the kind.
    const [event] = communityPostDecider.decide(
      replyTo(openThread, { trust: gates(0) }),
      { status: 'none' },
      context,
    );
    expect(event?.type).toBe('CommunityReplyPosted');
  });
});

describe('editing and deleting', () => {
  const edit = (overrides: Partial<Extract<CommunityPostCommand, { type: 'EditCommunityPost' }>> = {}) =>
    ({
      type: 'EditCommunityPost',
      title: null,
      body: 'How do I add 1/3 and 1/5?',
      member: member(ANA),
      trust: noGates,
      ...overrides,
    }) as const;

  it('lets the author change the words; the same words decide nothing', () => {
    spec
      .given([threadStarted()])
      .when(edit({ title: 'Adding fractions' }), context)
      .then([
        {
          type: 'CommunityPostEdited',
          data: { ...ids(THREAD, ANA), title: 'Adding fractions', body: 'How do I add 1/3 and 1/5?' },
        },
      ]);
    spec
      .given([threadStarted()])
      .when(edit({ body: ' How do I add 1/3 and 1/4?' }), context)
      .thenNothing();
  });

  it('refuses someone else, a title on a reply, a deleted post and a new link below the minimum', () => {
    spec
      .given([threadStarted()])
      .when(edit({ member: member(BEN, 'moderator') }), context)
      .thenThrows('FORBIDDEN', 'NOT_AUTHOR');
    spec
      .given([replyPosted(ANA)])
      .when(edit({ title: 'Hi' }), context)
      .thenThrows('VALIDATION', 'REPLY_HAS_NO_TITLE');
    spec
      .given([threadStarted(), { type: 'CommunityPostDeleted', data: ids(THREAD, ANA) }])
      .when(edit(), context)
      .thenThrows('CONFLICT', 'POST_DELETED');
    spec
      .given([threadStarted()])
      .when(edit({ body: 'go to example.com', trust: gates(10) }), context)
      .thenThrows('FORBIDDEN', 'TRUST_TOO_LOW');
    spec.given([]).when(edit(), context).thenThrows('NOT_FOUND', 'POST_NOT_FOUND');
  });

  it('lets only the author delete, once', () => {
    const deleteIt = (userId: string, role: CommunityRole = 'member') =>
      ({ type: 'DeleteCommunityPost', member: member(userId, role) }) as const;
    spec
      .given([threadStarted()])
      .when(deleteIt(ANA), context)
      .then([{ type: 'CommunityPostDeleted', data: ids(THREAD, ANA) }]);
    spec
      .given([threadStarted()])
      .when(deleteIt(MOD, 'moderator'), context)
      .thenThrows('FORBIDDEN', 'NOT_AUTHOR');
    spec
      .given([threadStarted(), { type: 'CommunityPostDeleted', data: ids(THREAD, ANA) }])
      .when(deleteIt(ANA), context)
      .thenNothing();
  });
});

describe('moderating', () => {
  const removeIt = (userId: string, role: CommunityRole, reason = ' Off topic ') =>
    ({ type: 'RemoveCommunityPost', reason, member: member(userId, role) }) as const;

  it('lets a moderator remove someone else’s post with a reason, once', () => {
    const removed: CommunityPostEvent = {
      type: 'CommunityPostRemoved',
      data: { ...ids(REPLY, BEN), removedBy: MOD, reason: 'Off topic' },
    };
    spec.given([replyPosted()]).when(removeIt(MOD, 'moderator'), context).then([removed]);
    spec.given([replyPosted(), removed]).when(removeIt(MOD, 'moderator'), context).thenNothing();
  });

  it('refuses members and mentors, a moderator’s own post, a missing or long reason, a deleted post', () => {
    spec
      .given([replyPosted()])
      .when(removeIt(ANA, 'mentor'), context)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec
      .given([replyPosted(MOD)])
      .when(removeIt(MOD, 'moderator'), context)
      .thenThrows('FORBIDDEN', 'OWN_POST');
    spec
      .given([replyPosted()])
      .when(removeIt(MOD, 'moderator', ' '), context)
      .thenThrows('VALIDATION', 'REASON_REQUIRED');
    spec
      .given([replyPosted()])
      .when(removeIt(MOD, 'owner', 'x'.repeat(501)), context)
      .thenThrows('VALIDATION', 'REASON_TOO_LONG');
    spec
      .given([replyPosted(), { type: 'CommunityPostDeleted', data: ids(REPLY, BEN) }])
      .when(removeIt(MOD, 'moderator'), context)
      .thenThrows('CONFLICT', 'POST_DELETED');
  });

  it('pins and unpins threads for moderators; again decides nothing', () => {
    const pinned: CommunityPostEvent = {
      type: 'CommunityThreadPinned',
      data: { communityId: COMMUNITY, postId: THREAD, threadId: THREAD, pinnedBy: MOD },
    };
    const pin = { type: 'PinCommunityThread', member: member(MOD, 'moderator') } as const;
    const unpin = { type: 'UnpinCommunityThread', member: member(MOD, 'moderator') } as const;
    spec.given([threadStarted()]).when(pin, context).then([pinned]);
    spec.given([threadStarted(), pinned]).when(pin, context).thenNothing();
    spec
      .given([threadStarted(), pinned])
      .when(unpin, context)
      .then([
        {
          type: 'CommunityThreadUnpinned',
          data: { communityId: COMMUNITY, postId: THREAD, threadId: THREAD, unpinnedBy: MOD },
        },
      ]);
    spec.given([threadStarted()]).when(unpin, context).thenNothing();
  });

  it('refuses pinning for members, pinning a reply, and a removed thread', () => {
    spec
      .given([threadStarted()])
      .when({ type: 'PinCommunityThread', member: member(ANA, 'mentor') }, context)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec
      .given([replyPosted()])
      .when({ type: 'PinCommunityThread', member: member(MOD, 'owner') }, context)
      .thenThrows('VALIDATION', 'NOT_A_THREAD');
    spec
      .given([
        threadStarted(),
        { type: 'CommunityPostRemoved', data: { ...ids(THREAD, ANA), removedBy: MOD, reason: 'x' } },
      ])
      .when({ type: 'PinCommunityThread', member: member(MOD, 'moderator') }, context)
      .thenThrows('CONFLICT', 'THREAD_REMOVED');
  });
});

describe('marking a reply helpful', () => {
  const mark = (userId: string, role: CommunityRole, thread: Post | null = openThread) =>
    ({ type: 'MarkCommunityPostHelpful', member: member(userId, role), thread }) as const;
  const marked = (markedBy: string): CommunityPostEvent => ({
    type: 'CommunityPostMarkedHelpful',
    data: { ...ids(REPLY, BEN), markedBy },
  });

  it('is for mentors and moderators, and for the thread’s author whatever their role; once', () => {
    spec
      .given([replyPosted()])
      .when(mark(MOD, 'mentor'), context)
      .then([marked(MOD)]);
    spec
      .given([replyPosted()])
      .when(mark(ANA, 'member'), context)
      .then([marked(ANA)]);
    spec
      .given([replyPosted(), marked(ANA)])
      .when(mark(MOD, 'moderator'), context)
      .thenNothing();
  });

  it('refuses a plain member who did not start the thread, the reply’s author, an opener, a removed reply', () => {
    const OTHER = '4d4c3f51-6e70-4182-9d2e-3f4a5b6c7d8e';
    spec
      .given([replyPosted()])
      .when(mark(OTHER, 'member'), context)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec.given([replyPosted()]).when(mark(BEN, 'moderator'), context).thenThrows('FORBIDDEN', 'OWN_POST');
    spec
      .given([threadStarted()])
      .when(mark(MOD, 'moderator'), context)
      .thenThrows('VALIDATION', 'NOT_A_REPLY');
    spec
      .given([replyPosted()])
      .when(mark(MOD, 'moderator', null), context)
      .thenThrows('NOT_FOUND', 'THREAD_NOT_FOUND');
    spec
      .given([
        replyPosted(),
        { type: 'CommunityPostRemoved', data: { ...ids(REPLY, BEN), removedBy: MOD, reason: 'x' } },
      ])
      .when(mark(MOD, 'moderator'), context)
      .thenThrows('CONFLICT', 'POST_REMOVED');
  });
});

describe('values and catalogue', () => {
  it('finds links a reader could follow, and not dotted words', () => {
    for (const text of [
      'https://x.org',
      'ftp://files',
      'mailto:a@b',
      'www.example.org',
      'bit.ly/xyz',
      'try example.com now',
    ]) {
      expect(containsLink(text), text).toBe(true);
    }
    for (const text of ['e.g. this', 'see file.txt', '1.5 litres', 'end. Next sentence', 'a/b']) {
      expect(containsLink(text), text).toBe(false);
    }
  });

  it('encrypts titles and bodies with the author’s key for the community', () => {
    const definition = communityPostEventCatalogue.CommunityThreadStarted;
    expect(definition.personalFields).toEqual(['title', 'body']);
    expect(definition.subject?.(threadStarted().data)).toBe(communityMemberSubject(COMMUNITY, ANA));
    expect(communityPostEventCatalogue.CommunityReplyPosted.personalFields).toEqual(['body']);
  });
});
