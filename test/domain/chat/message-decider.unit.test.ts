import { describe, expect, it } from 'vitest';
import {
  MAX_ATTACHMENTS,
  MAX_EMOJI_PER_MESSAGE,
  MAX_MESSAGE_LENGTH,
  MAX_REACTIONS_PER_MEMBER,
} from '../../../src/domain/chat/chat-values.ts';
import type {
  ChatMembershipFacts,
  ChatMessageCommand,
  CheckedAttachment,
} from '../../../src/domain/chat/message-commands.ts';
import { chatMessageDecider } from '../../../src/domain/chat/message-decider.ts';
import {
  type ChatMessageEvent,
  chatMessageEventCatalogue,
  chatMessageEventSchemas,
} from '../../../src/domain/chat/message-events.ts';
import { messageTextSubject } from '../../../src/domain/chat/streams.ts';
import { anonymous, asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ANA = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BEN = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const CONVERSATION = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const OTHER_CONVERSATION = '8190739a-a2b4-45c6-b162-7d8e9fa0b1c2';
const MESSAGE = '707f6284-91a3-44b5-a051-6c7d8e9fa0b1';
const EARLIER = '92a184ab-b3c5-46d7-8273-8e9fa0b1c2d3';
const IMAGE = 'a3b295bc-c4d6-47e8-9384-9fa0b1c2d3e4';
const VOICE = 'b4c3a6cd-d5e7-48f9-a495-a0b1c2d3e4f5';
const now = new Date('2026-12-07T08:00:00.000Z');

const as = (userId: string) => by(asUser(userId), now);
const spec = deciderSpec(chatMessageDecider);

const member: ChatMembershipFacts = { active: true, role: 'member' };
const admin: ChatMembershipFacts = { active: true, role: 'admin' };
const former: ChatMembershipFacts = { active: false, role: 'member' };
const image: CheckedAttachment = { assetId: IMAGE, kind: 'image', usable: true, ownedBySender: true };
const voice: CheckedAttachment = { assetId: VOICE, kind: 'voice', usable: true, ownedBySender: true };

type Send = Extract<ChatMessageCommand, { type: 'SendChatMessage' }>;
const send = (overrides: Partial<Send> = {}): Send => ({
  type: 'SendChatMessage',
  messageId: MESSAGE,
  conversationId: CONVERSATION,
  conversationKind: 'group',
  membership: member,
  blocked: false,
  text: '  See you at 8  ',
  replyToId: null,
  replyTo: null,
  attachments: [],
  ...overrides,
});
const sent = (
  overrides: Partial<Extract<ChatMessageEvent, { type: 'ChatMessageSent' }>['data']> = {},
): ChatMessageEvent => ({
  type: 'ChatMessageSent',
  data: {
    messageId: MESSAGE,
    conversationId: CONVERSATION,
    senderId: ANA,
    text: 'See you at 8',
    replyToId: null,
    attachments: [],
    ...overrides,
  },
});
const deleted = (deletedBy = ANA): ChatMessageEvent => ({
  type: 'ChatMessageDeleted',
  data: { messageId: MESSAGE, conversationId: CONVERSATION, deletedBy },
});
const reaction = (
  type: 'ChatReactionAdded' | 'ChatReactionRemoved',
  userId: string,
  emoji: string,
): ChatMessageEvent => ({
  type,
  data: { messageId: MESSAGE, conversationId: CONVERSATION, userId, emoji },
});

describe('sending', () => {
  it('sends the trimmed words as the sender', () => {
    spec.given([]).when(send(), as(ANA)).then([sent()]);
  });

  it('sends attachments with their kind from the asset, each asset once, with no words at all', () => {
    spec
      .given([])
      .when(send({ text: '   ', attachments: [image, voice, image] }), as(ANA))
      .then([
        sent({
          text: '',
          attachments: [
            { assetId: IMAGE, kind: 'image' },
            { assetId: VOICE, kind: 'voice' },
          ],
        }),
      ]);
  });

  it('refuses a message with neither words nor attachments', () => {
    spec
      .given([])
      .when(send({ text: ' \n ' }), as(ANA))
      .thenThrows('VALIDATION', 'EMPTY_MESSAGE');
  });

  it('takes up to MAX_MESSAGE_LENGTH characters, counted as people count them', () => {
    const longest = '🙂'.repeat(MAX_MESSAGE_LENGTH);
    spec
      .given([])
      .when(send({ text: longest }), as(ANA))
      .then([sent({ text: longest })]);
    spec
      .given([])
      .when(send({ text: `${longest}!` }), as(ANA))
      .thenThrows('VALIDATION', 'MESSAGE_TOO_LONG');
  });

  it('takes at most MAX_ATTACHMENTS attachments', () => {
    const many = Array.from({ length: MAX_ATTACHMENTS + 1 }, () => image);
    spec
      .given([])
      .when(send({ attachments: many }), as(ANA))
      .thenThrows('VALIDATION', 'TOO_MANY_ATTACHMENTS');
  });

  it('refuses someone else’s asset as missing and an unusable one of yours as such', () => {
    spec
      .given([])
      .when(send({ attachments: [{ ...image, ownedBySender: false }] }), as(ANA))
      .thenThrows('NOT_FOUND', 'ATTACHMENT_NOT_FOUND');
    spec
      .given([])
      .when(send({ attachments: [{ ...image, usable: false }] }), as(ANA))
      .thenThrows('VALIDATION', 'ATTACHMENT_NOT_USABLE');
  });

  it('is for active members only: to anyone else the conversation is not there', () => {
    for (const membership of [null, former]) {
      spec.given([]).when(send({ membership }), as(ANA)).thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
    }
    spec
      .given([])
      .when(send({ conversationKind: null, membership: null }), as(ANA))
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });

  it('is refused in a direct conversation when either blocked the other', () => {
    spec
      .given([])
      .when(send({ conversationKind: 'direct', blocked: true }), as(ANA))
      .thenThrows('FORBIDDEN', 'BLOCKED');
    spec
      .given([])
      .when(send({ conversationKind: 'direct' }), as(ANA))
      .then([sent()]);
  });

  it('replies to a message of the same conversation', () => {
    const replyTo = { messageId: EARLIER, conversationId: CONVERSATION, deleted: false };
    spec
      .given([])
      .when(send({ replyToId: EARLIER, replyTo }), as(ANA))
      .then([sent({ replyToId: EARLIER })]);
  });

  it('does not reply to a message that is not there, or is in another conversation', () => {
    spec
      .given([])
      .when(send({ replyToId: EARLIER, replyTo: null }), as(ANA))
      .thenThrows('NOT_FOUND', 'REPLY_NOT_FOUND');
    const elsewhere = { messageId: EARLIER, conversationId: OTHER_CONVERSATION, deleted: false };
    spec
      .given([])
      .when(send({ replyToId: EARLIER, replyTo: elsewhere }), as(ANA))
      .thenThrows('NOT_FOUND', 'REPLY_NOT_FOUND');
  });

  it('does not reply to a deleted message', () => {
    const gone = { messageId: EARLIER, conversationId: CONVERSATION, deleted: true };
    spec
      .given([])
      .when(send({ replyToId: EARLIER, replyTo: gone }), as(ANA))
      .thenThrows('CONFLICT', 'MESSAGE_DELETED');
  });

  it('is refused for a message id already used', () => {
    spec.given([sent()]).when(send(), as(ANA)).thenThrows('CONFLICT', 'MESSAGE_EXISTS');
  });

  it('is by someone signed in', () => {
    spec.given([]).when(send(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});

describe('editing', () => {
  const edit = (text: string, membership: ChatMembershipFacts | null = member): ChatMessageCommand => ({
    type: 'EditChatMessage',
    text,
    membership,
  });
  const edited = (text: string): ChatMessageEvent => ({
    type: 'ChatMessageEdited',
    data: { messageId: MESSAGE, conversationId: CONVERSATION, text },
  });

  it('replaces the words, trimmed', () => {
    spec
      .given([sent()])
      .when(edit(' See you at 9 '), as(ANA))
      .then([edited('See you at 9')]);
  });

  it('decides nothing for the same words', () => {
    spec.given([sent()]).when(edit('See you at 8 '), as(ANA)).thenNothing();
  });

  it('is the sender’s alone, admins included', () => {
    spec.given([sent()]).when(edit('Mine now', admin), as(BEN)).thenThrows('FORBIDDEN', 'NOT_SENDER');
  });

  it('is refused on a deleted message', () => {
    spec.given([sent(), deleted()]).when(edit('Back'), as(ANA)).thenThrows('CONFLICT', 'MESSAGE_DELETED');
  });

  it('keeps the limits of sending', () => {
    spec
      .given([sent()])
      .when(edit('x'.repeat(MAX_MESSAGE_LENGTH + 1)), as(ANA))
      .thenThrows('VALIDATION', 'MESSAGE_TOO_LONG');
    spec.given([sent()]).when(edit('  '), as(ANA)).thenThrows('VALIDATION', 'EMPTY_MESSAGE');
    const withImage = sent({ attachments: [{ assetId: IMAGE, kind: 'image' }] });
    spec
      .given([withImage])
      .when(edit(''), as(ANA))
      .then([edited('')]);
  });

  it('is refused for a message that is not there, or to someone who is no longer a member', () => {
    spec.given([]).when(edit('Hi'), as(ANA)).thenThrows('NOT_FOUND', 'MESSAGE_NOT_FOUND');
    spec.given([sent()]).when(edit('Hi', former), as(ANA)).thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });
});

describe('deleting for everyone', () => {
  const remove = (
    membership: ChatMembershipFacts | null,
    conversationKind: 'direct' | 'group' | null = 'group',
  ): ChatMessageCommand => ({
    type: 'DeleteChatMessage',
    membership,
    conversationKind,
  });

  it('is done by the sender', () => {
    spec.given([sent()]).when(remove(member), as(ANA)).then([deleted()]);
  });

  it('is done by an owner or admin of a group', () => {
    spec
      .given([sent()])
      .when(remove(admin), as(BEN))
      .then([deleted(BEN)]);
    spec
      .given([sent()])
      .when(remove({ active: true, role: 'owner' }), as(BEN))
      .then([deleted(BEN)]);
  });

  it('is not done by other members, nor by the other side of a direct conversation', () => {
    spec.given([sent()]).when(remove(member), as(BEN)).thenThrows('FORBIDDEN', 'NOT_SENDER');
    spec.given([sent()]).when(remove(admin, 'direct'), as(BEN)).thenThrows('FORBIDDEN', 'NOT_SENDER');
  });

  it('decides nothing the second time', () => {
    spec.given([sent(), deleted()]).when(remove(member), as(ANA)).thenNothing();
  });

  it('is refused when the conversation is not on record, rather than taken for a group', () => {
    spec.given([sent()]).when(remove(admin, null), as(BEN)).thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });

  it('knows the sender however their id is spelled', () => {
    spec
      .given([sent()])
      .when(remove(member), as(ANA.toUpperCase()))
      .then([deleted(ANA.toUpperCase())]);
  });

  it('forgets the words in the state', () => {
    const state = chatMessageDecider.evolve(
      chatMessageDecider.evolve(chatMessageDecider.initialState, sent()),
      deleted(),
    );
    expect(state).toMatchObject({ status: 'deleted', text: null });
  });
});

describe('reactions', () => {
  const react = (emoji: string, membership: ChatMembershipFacts | null = member): ChatMessageCommand => ({
    type: 'ReactToChatMessage',
    emoji,
    membership,
  });
  const unreact = (emoji: string): ChatMessageCommand => ({
    type: 'RemoveChatReaction',
    emoji,
    membership: member,
  });

  it('are added once per person and emoji', () => {
    spec
      .given([sent()])
      .when(react('👍🏽'), as(BEN))
      .then([reaction('ChatReactionAdded', BEN, '👍🏽')]);
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, '👍🏽')])
      .when(react('👍🏽'), as(BEN))
      .thenNothing();
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, '👍🏽')])
      .when(react('🎉'), as(BEN))
      .then([reaction('ChatReactionAdded', BEN, '🎉')]);
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, '👍🏽')])
      .when(react('👍🏽'), as(ANA))
      .then([reaction('ChatReactionAdded', ANA, '👍🏽')]);
  });

  it('are taken back by the person who reacted; taking back one not there decides nothing', () => {
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, '👍🏽')])
      .when(unreact('👍🏽'), as(BEN))
      .then([reaction('ChatReactionRemoved', BEN, '👍🏽')]);
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, '👍🏽')])
      .when(unreact('👍🏽'), as(ANA))
      .thenNothing();
    spec
      .given([
        sent(),
        reaction('ChatReactionAdded', BEN, '👍🏽'),
        reaction('ChatReactionRemoved', BEN, '👍🏽'),
      ])
      .when(unreact('👍🏽'), as(BEN))
      .thenNothing();
  });

  it('are one emoji: 1 to 16 characters, a pictograph, no letters, digits nor whitespace', () => {
    const refused = ['', 'thumbs up', '👍 ', 'x'.repeat(16), 'lol', '👍a', '😀7', ':)', '#', '😀'.repeat(17)];
    for (const emoji of refused) {
      spec.given([sent()]).when(react(emoji), as(BEN)).thenThrows('VALIDATION', 'INVALID_EMOJI');
    }
    for (const emoji of ['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇫🇷', '🎉🎉']) {
      spec
        .given([sent()])
        .when(react(emoji), as(BEN))
        .then([reaction('ChatReactionAdded', BEN, emoji)]);
    }
  });

  it('are at most three emoji per member on a message', () => {
    const three = ['👍', '🎉', '❤️'].map((emoji) => reaction('ChatReactionAdded', BEN, emoji));
    expect(three).toHaveLength(MAX_REACTIONS_PER_MEMBER);
    spec
      .given([sent(), ...three])
      .when(react('😂'), as(BEN))
      .thenThrows('CONFLICT', 'TOO_MANY_REACTIONS');
    // Someone else still reacts, and so does the member once one of theirs is taken back.
    spec
      .given([sent(), ...three])
      .when(react('😂'), as(ANA))
      .then([reaction('ChatReactionAdded', ANA, '😂')]);
    spec
      .given([sent(), ...three, reaction('ChatReactionRemoved', BEN, '🎉')])
      .when(react('😂'), as(BEN))
      .then([reaction('ChatReactionAdded', BEN, '😂')]);
  });

  it('are at most fifty different emoji on a message; one already there may still be added to', () => {
    const faces = Array.from({ length: MAX_EMOJI_PER_MESSAGE }, (_, index) =>
      String.fromCodePoint(0x1f600 + index),
    );
    const many = faces.map((emoji, index) =>
      reaction('ChatReactionAdded', `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, emoji),
    );
    spec
      .given([sent(), ...many])
      .when(react('🎉'), as(BEN))
      .thenThrows('CONFLICT', 'TOO_MANY_REACTIONS');
    spec
      .given([sent(), ...many])
      .when(react(faces[0] ?? ''), as(BEN))
      .then([reaction('ChatReactionAdded', BEN, faces[0] ?? '')]);
  });

  it('stored before the emoji rule can still be taken back', () => {
    spec
      .given([sent(), reaction('ChatReactionAdded', BEN, 'lol')])
      .when(unreact('lol'), as(BEN))
      .then([reaction('ChatReactionRemoved', BEN, 'lol')]);
  });

  it('are not added to a deleted message, nor by a stranger', () => {
    spec.given([sent(), deleted()]).when(react('👍'), as(BEN)).thenThrows('CONFLICT', 'MESSAGE_DELETED');
    spec.given([sent()]).when(react('👍', null), as(BEN)).thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });
});

describe('the message catalogue', () => {
  it('keeps the words personal, under the message’s own key, and never publishes them or the sender', () => {
    for (const type of ['ChatMessageSent', 'ChatMessageEdited'] as const) {
      const definition = chatMessageEventCatalogue[type];
      expect(definition.personalFields).toEqual(['text']);
      expect(definition.subject?.(sent().data as never)).toBe(messageTextSubject(MESSAGE));
      expect(definition.publicFields).toEqual(['messageId', 'conversationId']);
    }
  });

  it('reads a message whose key is destroyed, its words as null', () => {
    const erased = { ...sent().data, text: null };
    expect(chatMessageEventSchemas.ChatMessageSent.safeParse(erased).success).toBe(true);
  });
});
