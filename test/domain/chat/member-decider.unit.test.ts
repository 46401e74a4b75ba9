import { describe, expect, it } from 'vitest';
import type { ChatMemberCommand, MarkedMessage } from '../../../src/domain/chat/member-commands.ts';
import { chatMemberDecider } from '../../../src/domain/chat/member-decider.ts';
import { type ChatMemberEvent, chatMemberEventCatalogue } from '../../../src/domain/chat/member-events.ts';
import type { ChatMembershipFacts } from '../../../src/domain/chat/message-commands.ts';
import { chatMemberStream } from '../../../src/domain/chat/streams.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anonymous, asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ANA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BEN = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const CONVERSATION = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const OTHER_CONVERSATION = '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2';
const FIRST = '707f6284-91a3-44b5-a051-6c7d8e9fa0b1';
const TENTH = '92a184ab-b3c5-46d7-8273-8e9fa0b1c2d3';
const now = new Date('2026-12-07T08:00:00.000Z');

const ana = by(asUser(ANA), now);
const spec = deciderSpec(chatMemberDecider);
const member: ChatMembershipFacts = { active: true, role: 'member' };

/** Positions 9 and 10 compare as numbers: as strings '9' would come after '10'. */
const first: MarkedMessage = { messageId: FIRST, conversationId: CONVERSATION, position: '9' };
const tenth: MarkedMessage = { messageId: TENTH, conversationId: CONVERSATION, position: '10' };

const mark = (
  type: 'MarkChatDelivered' | 'MarkChatRead',
  message: MarkedMessage | null,
  overrides: { membership?: ChatMembershipFacts | null; messageId?: string } = {},
): ChatMemberCommand => ({
  type,
  conversationId: CONVERSATION,
  membership: member,
  messageId: message?.messageId ?? FIRST,
  message,
  ...overrides,
});
const receipt = (
  type: 'ChatMessagesDelivered' | 'ChatMessagesRead',
  { messageId, position }: MarkedMessage,
): ChatMemberEvent => ({
  type,
  data: { conversationId: CONVERSATION, userId: ANA, messageId, position },
});

describe('receipts', () => {
  it('mark how far the member received and read', () => {
    spec
      .given([])
      .when(mark('MarkChatDelivered', first), ana)
      .then([receipt('ChatMessagesDelivered', first)]);
    spec
      .given([])
      .when(mark('MarkChatRead', first), ana)
      .then([receipt('ChatMessagesRead', first)]);
  });

  it('only move forward: a mark at or below the current one decides nothing', () => {
    spec
      .given([receipt('ChatMessagesDelivered', tenth)])
      .when(mark('MarkChatDelivered', first), ana)
      .thenNothing();
    spec
      .given([receipt('ChatMessagesDelivered', tenth)])
      .when(mark('MarkChatDelivered', tenth), ana)
      .thenNothing();
    spec
      .given([receipt('ChatMessagesRead', tenth)])
      .when(mark('MarkChatRead', first), ana)
      .thenNothing();
    spec
      .given([receipt('ChatMessagesRead', first)])
      .when(mark('MarkChatRead', tenth), ana)
      .then([receipt('ChatMessagesRead', tenth)]);
  });

  it('count what was read as received', () => {
    spec
      .given([receipt('ChatMessagesRead', tenth)])
      .when(mark('MarkChatDelivered', first), ana)
      .thenNothing();
    const state = fold(chatMemberDecider, [receipt('ChatMessagesRead', tenth)]);
    expect(state).toMatchObject({ deliveredPosition: '10', readPosition: '10' });
  });

  it('are for messages of this conversation the member can see', () => {
    spec.given([]).when(mark('MarkChatRead', null), ana).thenThrows('NOT_FOUND', 'MESSAGE_NOT_FOUND');
    const elsewhere = { ...first, conversationId: OTHER_CONVERSATION };
    spec.given([]).when(mark('MarkChatRead', elsewhere), ana).thenThrows('NOT_FOUND', 'MESSAGE_NOT_FOUND');
    spec
      .given([])
      .when(mark('MarkChatRead', first, { messageId: TENTH }), ana)
      .thenThrows('NOT_FOUND', 'MESSAGE_NOT_FOUND');
  });

  it('are for active members only', () => {
    for (const membership of [null, { active: false, role: 'member' } as const]) {
      spec
        .given([])
        .when(mark('MarkChatRead', first, { membership }), ana)
        .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
    }
    spec
      .given([])
      .when(mark('MarkChatRead', first), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});

describe('settings', () => {
  const settings = (changes: {
    muted?: boolean;
    archived?: boolean;
    pinned?: boolean;
  }): ChatMemberCommand => ({
    type: 'ChangeChatMemberSettings',
    conversationId: CONVERSATION,
    membership: member,
    ...changes,
  });
  const changed = (muted: boolean, archived: boolean, pinned: boolean): ChatMemberEvent => ({
    type: 'ChatMemberSettingsChanged',
    data: { conversationId: CONVERSATION, userId: ANA, muted, archived, pinned },
  });

  it('start unmuted, unarchived, unpinned and change whole, absent ones kept', () => {
    spec
      .given([])
      .when(settings({ muted: true }), ana)
      .then([changed(true, false, false)]);
    spec
      .given([changed(true, false, false)])
      .when(settings({ pinned: true }), ana)
      .then([changed(true, false, true)]);
  });

  it('decide nothing when unchanged', () => {
    spec
      .given([])
      .when(settings({ muted: false, archived: false }), ana)
      .thenNothing();
    spec
      .given([changed(true, true, false)])
      .when(settings({ muted: true }), ana)
      .thenNothing();
  });
});

describe('hiding a message for me', () => {
  const hide = (message: MarkedMessage | null, messageId = FIRST): ChatMemberCommand => ({
    type: 'HideChatMessageForMe',
    conversationId: CONVERSATION,
    membership: member,
    messageId,
    message,
  });
  const hidden: ChatMemberEvent = {
    type: 'ChatMessageHiddenForMe',
    data: { conversationId: CONVERSATION, userId: ANA, messageId: FIRST },
  };

  it('hides it once', () => {
    spec.given([]).when(hide(first), ana).then([hidden]);
    spec.given([hidden]).when(hide(first), ana).thenNothing();
  });

  it('is for a message of this conversation', () => {
    spec.given([]).when(hide(null), ana).thenThrows('NOT_FOUND', 'MESSAGE_NOT_FOUND');
  });
});

describe('the member stream and catalogue', () => {
  it('is one stream per member of a conversation', () => {
    expect(chatMemberStream(CONVERSATION, ANA)).toMatch(/^chatmember-[0-9a-f-]{36}$/);
    expect(chatMemberStream(CONVERSATION, ANA)).toBe(chatMemberStream(CONVERSATION.toUpperCase(), ANA));
    expect(chatMemberStream(CONVERSATION, ANA)).not.toBe(chatMemberStream(CONVERSATION, BEN));
    expect(chatMemberStream(CONVERSATION, ANA)).not.toBe(chatMemberStream(OTHER_CONVERSATION, ANA));
  });

  it('publishes nothing: what someone read, muted or hid is theirs', () => {
    for (const definition of Object.values(chatMemberEventCatalogue))
      expect(definition.publicFields).toBeUndefined();
  });
});
