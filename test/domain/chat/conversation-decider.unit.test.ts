import { describe, expect, it } from 'vitest';
import { MAX_GROUP_MEMBERS } from '../../../src/domain/chat/chat-values.ts';
import type { ChatConversationCommand } from '../../../src/domain/chat/conversation-commands.ts';
import { chatConversationDecider } from '../../../src/domain/chat/conversation-decider.ts';
import {
  type ChatConversationEvent,
  chatConversationEventSchemas,
} from '../../../src/domain/chat/conversation-events.ts';
import { directConversationId } from '../../../src/domain/chat/streams.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ANA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BEN = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const CARA = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const DAN = '4d4c3f51-6e70-4182-9d2e-3f4a5b6c7d8e';
const EVE = '5e5d4062-7f81-4293-8e3f-4a5b6c7d8e9f';
const GROUP = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const AVATAR = '707f6284-91a3-44b5-a051-6c7d8e9fa0b1';
const DIRECT = directConversationId(ANA, BEN);
const now = new Date('2026-12-07T08:00:00.000Z');

const as = (userId: string) => by(asUser(userId), now);
const spec = deciderSpec(chatConversationDecider);

const directStarted: ChatConversationEvent = {
  type: 'ChatConversationStarted',
  data: { conversationId: DIRECT, kind: 'direct', startedBy: ANA, memberIds: [ANA, BEN], title: null },
};
/** Ana owns the group; Ben, Cara and Dan are members, in that order. */
const groupStarted: ChatConversationEvent = {
  type: 'ChatConversationStarted',
  data: {
    conversationId: GROUP,
    kind: 'group',
    startedBy: ANA,
    memberIds: [ANA, BEN, CARA, DAN],
    title: 'Crew',
  },
};
const roleChanged = (
  memberId: string,
  role: 'owner' | 'admin' | 'member',
  changedBy = ANA,
): ChatConversationEvent => ({
  type: 'ChatMemberRoleChanged',
  data: { conversationId: GROUP, memberId, role, changedBy },
});
const left = (memberId: string): ChatConversationEvent => ({
  type: 'ChatMemberLeft',
  data: { conversationId: GROUP, memberId },
});
const added = (memberIds: string[], addedBy = ANA): ChatConversationEvent => ({
  type: 'ChatMembersAdded',
  data: { conversationId: GROUP, memberIds, addedBy },
});
const startDirect = (
  overrides: Partial<Extract<ChatConversationCommand, { type: 'StartDirectConversation' }>> = {},
) =>
  ({
    type: 'StartDirectConversation',
    conversationId: DIRECT,
    otherUserId: BEN,
    blocked: false,
    ...overrides,
  }) as const;
const createGroup = (title: string | null, memberIds: string[]): ChatConversationCommand => ({
  type: 'CreateGroupConversation',
  conversationId: GROUP,
  title,
  memberIds,
});
const uuids = (count: number) =>
  Array.from(
    { length: count },
    (_, index) => `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
  );

describe('a direct conversation', () => {
  it('starts between the starter and the other person, without a title', () => {
    spec.given([]).when(startDirect(), as(ANA)).then([directStarted]);
  });

  it('is found again by either side: starting it again decides nothing', () => {
    spec.given([directStarted]).when(startDirect(), as(ANA)).thenNothing();
    spec
      .given([directStarted])
      .when(startDirect({ otherUserId: ANA }), as(BEN))
      .thenNothing();
  });

  it('is the same id whichever side names the pair, and differs between pairs', () => {
    expect(directConversationId(BEN, ANA)).toBe(DIRECT);
    expect(directConversationId(ANA.toUpperCase(), BEN)).toBe(DIRECT);
    expect(directConversationId(ANA, CARA)).not.toBe(DIRECT);
  });

  it('is refused when either blocked the other, even when it already exists', () => {
    spec
      .given([])
      .when(startDirect({ blocked: true }), as(ANA))
      .thenThrows('FORBIDDEN', 'BLOCKED');
    spec
      .given([directStarted])
      .when(startDirect({ blocked: true }), as(ANA))
      .thenThrows('FORBIDDEN', 'BLOCKED');
  });

  it('is never with yourself', () => {
    const self = startDirect({ conversationId: directConversationId(ANA, ANA), otherUserId: ANA });
    spec.given([]).when(self, as(ANA)).thenThrows('VALIDATION', 'SELF_CONVERSATION');
  });

  it('only ever has the pair’s own id', () => {
    spec
      .given([])
      .when(startDirect({ conversationId: GROUP }), as(ANA))
      .thenThrows('VALIDATION', 'NOT_THE_PAIRS_CONVERSATION');
  });

  it('cannot be left, joined, renamed or have roles', () => {
    const commands: ChatConversationCommand[] = [
      { type: 'LeaveConversation' },
      { type: 'AddConversationMembers', userIds: [CARA] },
      { type: 'RemoveConversationMember', userId: BEN },
      { type: 'ChangeConversationRole', userId: BEN, role: 'admin' },
      { type: 'UpdateConversationDetails', title: 'Us', avatarAssetId: null },
    ];
    for (const command of commands) {
      spec.given([directStarted]).when(command, as(ANA)).thenThrows('CONFLICT', 'DIRECT_CONVERSATION');
    }
  });

  it('is not there for anyone outside the pair', () => {
    spec
      .given([directStarted])
      .when({ type: 'LeaveConversation' }, as(CARA))
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });

  it('needs a direct conversation of exactly two in the stored event', () => {
    const three = { ...directStarted.data, memberIds: [ANA, BEN, CARA] };
    expect(chatConversationEventSchemas.ChatConversationStarted.safeParse(three).success).toBe(false);
    expect(chatConversationEventSchemas.ChatConversationStarted.safeParse(directStarted.data).success).toBe(
      true,
    );
  });
});

describe('starting a group', () => {
  it('makes the starter a member (first) and counts each person once', () => {
    spec
      .given([])
      .when(createGroup('  Crew  ', [BEN, ANA, CARA, BEN, DAN]), as(ANA))
      .then([groupStarted]);
  });

  it('counts one person once however their id is spelled, the first spelling kept', () => {
    spec
      .given([])
      .when(createGroup('Crew', [BEN, BEN.toUpperCase(), ANA.toUpperCase(), CARA, DAN]), as(ANA))
      .then([groupStarted]);
  });

  it('folds a stored group naming one person in two spellings into one member', () => {
    const twice: ChatConversationEvent = {
      ...groupStarted,
      data: { ...groupStarted.data, memberIds: [ANA, BEN, BEN.toUpperCase(), ANA.toUpperCase()] },
    } as ChatConversationEvent;
    const state = fold(chatConversationDecider, [twice]);
    expect(state.status === 'started' && state.members).toEqual([
      { userId: ANA, role: 'owner' },
      { userId: BEN, role: 'member' },
    ]);
  });

  it('makes the starter its owner', () => {
    const state = fold(chatConversationDecider, [groupStarted]);
    expect(state.status === 'started' && state.members).toEqual([
      { userId: ANA, role: 'owner' },
      { userId: BEN, role: 'member' },
      { userId: CARA, role: 'member' },
      { userId: DAN, role: 'member' },
    ]);
  });

  it('may have no title: blank is none', () => {
    const untitled = {
      ...groupStarted,
      data: { ...groupStarted.data, title: null },
    } as ChatConversationEvent;
    spec
      .given([])
      .when(createGroup('   ', [BEN, CARA, DAN]), as(ANA))
      .then([untitled]);
    spec
      .given([])
      .when(createGroup(null, [BEN, CARA, DAN]), as(ANA))
      .then([untitled]);
  });

  it('refuses a title over 100 characters', () => {
    spec
      .given([])
      .when(createGroup('x'.repeat(101), [BEN]), as(ANA))
      .thenThrows('VALIDATION', 'INVALID_TITLE');
  });

  it('holds at most MAX_GROUP_MEMBERS people, the starter included', () => {
    const full = uuids(MAX_GROUP_MEMBERS - 1);
    const started = spec.given([]).when(createGroup('Big', full), as(ANA));
    started.then([
      {
        type: 'ChatConversationStarted',
        data: {
          conversationId: GROUP,
          kind: 'group',
          startedBy: ANA,
          memberIds: [ANA, ...full],
          title: 'Big',
        },
      },
    ]);
    spec
      .given([])
      .when(createGroup('Big', uuids(MAX_GROUP_MEMBERS)), as(ANA))
      .thenThrows('CONFLICT', 'GROUP_FULL');
  });

  it('is refused when the conversation already exists', () => {
    spec
      .given([groupStarted])
      .when(createGroup('Crew', [BEN]), as(ANA))
      .thenThrows('CONFLICT', 'CONVERSATION_EXISTS');
  });

  it('is by a person: anonymous callers sign in, processes do not chat, API keys act for their owner', () => {
    spec
      .given([])
      .when(createGroup('Crew', [BEN]), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec
      .given([])
      .when(createGroup('Crew', [BEN]), by(theSystem(), now))
      .thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
    spec
      .given([])
      .when(createGroup('Crew', [BEN, CARA, DAN]), by(anIntegration(ANA, ['graphql:write']), now))
      .then([groupStarted]);
  });
});

describe('adding members', () => {
  it('adds the people not yet in the group, by an owner or admin', () => {
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: [EVE, BEN, EVE] }, as(ANA))
      .then([added([EVE])]);
    spec
      .given([groupStarted, roleChanged(BEN, 'admin')])
      .when({ type: 'AddConversationMembers', userIds: [EVE] }, as(BEN))
      .then([added([EVE], BEN)]);
  });

  it('decides nothing when everyone named is already in', () => {
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: [BEN, CARA] }, as(ANA))
      .thenNothing();
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: [BEN.toUpperCase()] }, as(ANA))
      .thenNothing();
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: [EVE, EVE.toUpperCase()] }, as(ANA))
      .then([added([EVE])]);
  });

  it('is not for plain members', () => {
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: [EVE] }, as(BEN))
      .thenThrows('FORBIDDEN', 'NOT_ADMIN');
  });

  it('stops at MAX_GROUP_MEMBERS', () => {
    const room = uuids(MAX_GROUP_MEMBERS - 4);
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: room }, as(ANA))
      .then([added(room)]);
    spec
      .given([groupStarted])
      .when({ type: 'AddConversationMembers', userIds: uuids(MAX_GROUP_MEMBERS - 3) }, as(ANA))
      .thenThrows('CONFLICT', 'GROUP_FULL');
  });

  it('takes back someone who left, behind everyone who stayed', () => {
    const state = fold(chatConversationDecider, [groupStarted, left(BEN), added([BEN])]);
    expect(state.status === 'started' && state.members.map((member) => member.userId)).toEqual([
      ANA,
      CARA,
      DAN,
      BEN,
    ]);
  });
});

describe('removing a member', () => {
  it('is done by the owner or an admin', () => {
    const removed = (memberId: string, removedBy: string): ChatConversationEvent => ({
      type: 'ChatMemberRemoved',
      data: { conversationId: GROUP, memberId, removedBy },
    });
    spec
      .given([groupStarted])
      .when({ type: 'RemoveConversationMember', userId: CARA }, as(ANA))
      .then([removed(CARA, ANA)]);
    spec
      .given([groupStarted, roleChanged(BEN, 'admin')])
      .when({ type: 'RemoveConversationMember', userId: CARA }, as(BEN))
      .then([removed(CARA, BEN)]);
  });

  it('is not for plain members', () => {
    spec
      .given([groupStarted])
      .when({ type: 'RemoveConversationMember', userId: CARA }, as(BEN))
      .thenThrows('FORBIDDEN', 'NOT_ADMIN');
  });

  it('never removes the owner', () => {
    spec
      .given([groupStarted, roleChanged(BEN, 'admin')])
      .when({ type: 'RemoveConversationMember', userId: ANA }, as(BEN))
      .thenThrows('FORBIDDEN', 'CANNOT_REMOVE_OWNER');
  });

  it('leaves admins to the owner', () => {
    spec
      .given([groupStarted, roleChanged(BEN, 'admin'), roleChanged(CARA, 'admin')])
      .when({ type: 'RemoveConversationMember', userId: CARA }, as(BEN))
      .thenThrows('FORBIDDEN', 'NOT_OWNER');
  });

  it('decides nothing for someone no longer there', () => {
    spec
      .given([groupStarted, left(CARA)])
      .when({ type: 'RemoveConversationMember', userId: CARA }, as(ANA))
      .thenNothing();
  });

  it('shuts the removed person out: to them the conversation is not there', () => {
    const removed: ChatConversationEvent = {
      type: 'ChatMemberRemoved',
      data: { conversationId: GROUP, memberId: CARA, removedBy: ANA },
    };
    spec
      .given([groupStarted, removed])
      .when({ type: 'LeaveConversation' }, as(CARA))
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });
});

describe('leaving', () => {
  it('is a member’s own decision', () => {
    spec
      .given([groupStarted])
      .when({ type: 'LeaveConversation' }, as(CARA))
      .then([left(CARA)]);
  });

  it('hands the owner’s group to the longest-standing admin', () => {
    spec
      .given([groupStarted, roleChanged(DAN, 'admin'), roleChanged(CARA, 'admin')])
      .when({ type: 'LeaveConversation' }, as(ANA))
      .then([left(ANA), roleChanged(CARA, 'owner', 'handover')]);
  });

  it('hands it to the longest-standing member when there is no admin', () => {
    spec
      .given([groupStarted, left(BEN), added([BEN])])
      .when({ type: 'LeaveConversation' }, as(ANA))
      .then([left(ANA), roleChanged(CARA, 'owner', 'handover')]);
  });

  it('leaves an empty conversation when the last member goes', () => {
    const alone: ChatConversationEvent = {
      type: 'ChatConversationStarted',
      data: { conversationId: GROUP, kind: 'group', startedBy: ANA, memberIds: [ANA], title: null },
    };
    spec
      .given([alone])
      .when({ type: 'LeaveConversation' }, as(ANA))
      .then([left(ANA)]);
    const state = fold(chatConversationDecider, [alone, left(ANA)]);
    expect(state.status === 'started' && state.members).toEqual([]);
  });

  it('cannot be done twice: a former member is a stranger', () => {
    spec
      .given([groupStarted, left(CARA)])
      .when({ type: 'LeaveConversation' }, as(CARA))
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });

  it('is refused for a conversation that does not exist', () => {
    spec
      .given([])
      .when({ type: 'LeaveConversation' }, as(ANA))
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });
});

describe('roles', () => {
  it('are changed by the owner', () => {
    spec
      .given([groupStarted])
      .when({ type: 'ChangeConversationRole', userId: BEN, role: 'admin' }, as(ANA))
      .then([roleChanged(BEN, 'admin')]);
    spec
      .given([groupStarted, roleChanged(BEN, 'admin')])
      .when({ type: 'ChangeConversationRole', userId: BEN, role: 'member' }, as(ANA))
      .then([roleChanged(BEN, 'member')]);
  });

  it('are the owner’s alone, not an admin’s', () => {
    spec
      .given([groupStarted, roleChanged(BEN, 'admin')])
      .when({ type: 'ChangeConversationRole', userId: CARA, role: 'admin' }, as(BEN))
      .thenThrows('FORBIDDEN', 'NOT_OWNER');
  });

  it('hand ownership over: the old owner stays as an admin', () => {
    spec
      .given([groupStarted])
      .when({ type: 'ChangeConversationRole', userId: CARA, role: 'owner' }, as(ANA))
      .then([roleChanged(CARA, 'owner'), roleChanged(ANA, 'admin')]);
  });

  it('keep an owner: the owner gives up ownership only by handing it over', () => {
    spec
      .given([groupStarted])
      .when({ type: 'ChangeConversationRole', userId: ANA, role: 'member' }, as(ANA))
      .thenThrows('CONFLICT', 'OWNER_REQUIRED');
  });

  it('decide nothing when the role is already that', () => {
    spec
      .given([groupStarted])
      .when({ type: 'ChangeConversationRole', userId: BEN, role: 'member' }, as(ANA))
      .thenNothing();
  });

  it('are only for members', () => {
    spec
      .given([groupStarted])
      .when({ type: 'ChangeConversationRole', userId: EVE, role: 'admin' }, as(ANA))
      .thenThrows('NOT_FOUND', 'MEMBER_NOT_FOUND');
  });
});

describe('details', () => {
  const changed = (
    title: string | null,
    avatarAssetId: string | null,
    changedBy = ANA,
  ): ChatConversationEvent => ({
    type: 'ChatConversationDetailsChanged',
    data: { conversationId: GROUP, title, avatarAssetId, changedBy },
  });

  it('are changed whole by the owner or an admin', () => {
    spec
      .given([groupStarted])
      .when({ type: 'UpdateConversationDetails', title: ' Crew 2 ', avatarAssetId: AVATAR }, as(ANA))
      .then([changed('Crew 2', AVATAR)]);
    spec
      .given([groupStarted, roleChanged(BEN, 'admin'), changed('Crew 2', AVATAR)])
      .when({ type: 'UpdateConversationDetails', title: null, avatarAssetId: null }, as(BEN))
      .then([changed(null, null, BEN)]);
  });

  it('are not for plain members', () => {
    spec
      .given([groupStarted])
      .when({ type: 'UpdateConversationDetails', title: 'Mine', avatarAssetId: null }, as(BEN))
      .thenThrows('FORBIDDEN', 'NOT_ADMIN');
  });

  it('decide nothing when unchanged', () => {
    spec
      .given([groupStarted])
      .when({ type: 'UpdateConversationDetails', title: 'Crew', avatarAssetId: null }, as(ANA))
      .thenNothing();
  });

  it('refuse a title over 100 characters', () => {
    spec
      .given([groupStarted])
      .when({ type: 'UpdateConversationDetails', title: 'y'.repeat(101), avatarAssetId: null }, as(ANA))
      .thenThrows('VALIDATION', 'INVALID_TITLE');
  });
});
