import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatMemberEventCatalogue } from '../../../src/domain/chat/member-events.ts';
import { chatMessageEventCatalogue } from '../../../src/domain/chat/message-events.ts';
import { chatMemberStream, chatMessageStream } from '../../../src/domain/chat/streams.ts';
import {
  moderationCaseStream,
  moderationEventCatalogue,
} from '../../../src/domain/social/moderation-events.ts';
import { appendEvents, eventsIn } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  ADD_MEMBERS,
  type ConversationView,
  conversationAs,
  createGroup,
  MARK_DELIVERED,
  MARK_READ,
  REMOVE_MEMBER,
  SETTINGS,
  startDirect,
  storedMessage,
} from './conversation-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const person = () => registerAndSignIn(api, 'Someone');

const mark = async (
  operation: 'markConversationRead' | 'markConversationDelivered',
  user: TestUser,
  conversationId: string,
  messageId: string,
) => {
  const query = operation === 'markConversationRead' ? MARK_READ : MARK_DELIVERED;
  return api.gql(query, { conversationId, messageId }, user.accessToken);
};
const read = async (user: TestUser, conversationId: string, messageId: string) =>
  fieldOf<ConversationView>(
    await mark('markConversationRead', user, conversationId, messageId),
    'markConversationRead',
  );
const delivered = async (user: TestUser, conversationId: string, messageId: string) =>
  fieldOf<ConversationView>(
    await mark('markConversationDelivered', user, conversationId, messageId),
    'markConversationDelivered',
  );
const marks = (view: ConversationView) => ({
  deliveredUpTo: view.myDeliveredUpTo,
  readUpTo: view.myReadUpTo,
});

describe('receipts', () => {
  it('counts unread messages from others, and moves read and delivered marks forward only', async () => {
    const [ada, bob] = [await person(), await person()];
    const { id } = await startDirect(api, ada, bob);
    const m1 = await storedMessage(api, id, bob.id, 'one');
    const m2 = await storedMessage(api, id, bob.id, 'two');
    await storedMessage(api, id, ada.id, 'mine');
    const m3 = await storedMessage(api, id, bob.id, 'three');
    const fresh = await conversationAs(api, ada, id);
    expect(fresh.unreadCount).toBe(3);
    expect(marks(fresh)).toMatchObject({ deliveredUpTo: null, readUpTo: null });
    // Bob's own messages are never unread to him.
    expect((await conversationAs(api, bob, id)).unreadCount).toBe(1);

    const afterRead = await read(ada, id, m2.id);
    expect(afterRead.unreadCount).toBe(1);
    // Reading implies receiving.
    expect(marks(afterRead)).toMatchObject({ readUpTo: m2.position, deliveredUpTo: m2.position });
    // An older message read later (out of order) changes nothing and stores nothing.
    expect(marks(await read(ada, id, m1.id))).toMatchObject({ readUpTo: m2.position });
    const afterDelivered = await delivered(ada, id, m3.id);
    expect(marks(afterDelivered)).toMatchObject({
      readUpTo: m2.position,
      deliveredUpTo: m3.position,
    });
    expect(marks(await delivered(ada, id, m1.id))).toMatchObject({ deliveredUpTo: m3.position });
    expect(await eventsIn(api, chatMemberStream(id, ada.id))).toBe(2);
    // Ada's marks are hers: Bob reading them is refused, his own are his to read.
    const RECEIPTS = `query ($id: ID!) { chatConversation(id: $id) { members { nodes { userId readUpTo } } } }`;
    const asBob = await api.gql(RECEIPTS, { id }, bob.accessToken);
    expect(asBob.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RECEIPTS_PRIVATE' });
    const bobsOwn = `query ($id: ID!) { chatConversation(id: $id) { myReadUpTo myDeliveredUpTo } }`;
    expect(fieldOf(await api.gql(bobsOwn, { id }, bob.accessToken), 'chatConversation')).toEqual({
      myReadUpTo: null,
      myDeliveredUpTo: null,
    });
    expect((await read(ada, id, m3.id)).unreadCount).toBe(0);
  });

  it('refuses a message of another conversation, an unknown one, strangers and removed members', async () => {
    const [owner, ann, ben, stranger] = [await person(), await person(), await person(), await person()];
    const group = await createGroup(api, owner, [ann, ben]);
    const other = await createGroup(api, owner, [stranger]);
    const here = await storedMessage(api, group.id, owner.id);
    const elsewhere = await storedMessage(api, other.id, owner.id);
    const notFound = ['NOT_FOUND/CONVERSATION_NOT_FOUND'];
    const noMessage = ['NOT_FOUND/MESSAGE_NOT_FOUND'];
    expect(errorCodes(await mark('markConversationRead', ann, group.id, elsewhere.id))).toEqual(noMessage);
    expect(errorCodes(await mark('markConversationDelivered', ann, group.id, randomUUID()))).toEqual(
      noMessage,
    );
    expect(errorCodes(await mark('markConversationRead', stranger, group.id, here.id))).toEqual(notFound);
    expect(errorCodes(await mark('markConversationRead', ann, randomUUID(), here.id))).toEqual(notFound);
    expect(errorCodes(await mark('markConversationRead', ann, group.id, 'nope'))[0]).toMatch(/^VALIDATION/);
    const removed = await api.gql(
      REMOVE_MEMBER,
      { conversationId: group.id, userId: ben.id },
      owner.accessToken,
    );
    expect(removed.errors).toBeUndefined();
    expect(errorCodes(await mark('markConversationRead', ben, group.id, here.id))).toEqual(notFound);
    expect(await eventsIn(api, chatMemberStream(group.id, ben.id))).toBe(0);
    expect(await eventsIn(api, chatMemberStream(group.id, stranger.id))).toBe(0);

    // Someone added later sees, counts and may mark only what was sent since they joined.
    const late = await person();
    await api.gql(ADD_MEMBERS, { conversationId: group.id, userIds: [late.id] }, owner.accessToken);
    expect((await conversationAs(api, late, group.id)).unreadCount).toBe(0);
    expect(errorCodes(await mark('markConversationRead', late, group.id, here.id))).toEqual(noMessage);
    const after = await storedMessage(api, group.id, owner.id);
    expect((await conversationAs(api, late, group.id)).unreadCount).toBe(1);
    expect((await read(late, group.id, after.id)).unreadCount).toBe(0);
  });

  it('counts as readers only the members who were there when a message was sent', async () => {
    const [owner, ann] = [await person(), await person()];
    const group = await createGroup(api, owner, [ann]);
    const before = await storedMessage(api, group.id, owner.id);
    const late = await person();
    await api.gql(ADD_MEMBERS, { conversationId: group.id, userIds: [late.id] }, owner.accessToken);
    const since = await storedMessage(api, group.id, owner.id);
    // The latecomer's read mark passes the earlier message, which they never saw.
    await read(late, group.id, since.id);
    const READ_BY = `query ($id: ID!) { chatMessages(conversationId: $id) { nodes { id readByCount deliveredToAll } } }`;
    const readBy = async () =>
      fieldOf<{ nodes: { id: string; readByCount: number; deliveredToAll: boolean }[] }>(
        await api.gql(READ_BY, { id: group.id }, owner.accessToken),
        'chatMessages',
      ).nodes;
    expect(await readBy()).toEqual([
      { id: before.id, readByCount: 0, deliveredToAll: false },
      { id: since.id, readByCount: 1, deliveredToAll: false },
    ]);
    await read(ann, group.id, since.id);
    expect(await readBy()).toEqual([
      { id: before.id, readByCount: 1, deliveredToAll: true },
      { id: since.id, readByCount: 2, deliveredToAll: true },
    ]);
  });

  it('counts unread messages up to 100', async () => {
    const [ada, bob] = [await person(), await person()];
    const { id } = await startDirect(api, ada, bob);
    for (let sent = 0; sent < 102; sent += 34) {
      await Promise.all(Array.from({ length: 34 }, () => storedMessage(api, id, bob.id)));
    }
    expect((await conversationAs(api, ada, id)).unreadCount).toBe(100);
  }, 60_000);

  it('leaves deleted messages, ones hidden for me and ones moderators hid out of the unread count', async () => {
    const [ada, bob] = [await person(), await person()];
    const { id } = await startDirect(api, ada, bob);
    const deleted = await storedMessage(api, id, bob.id);
    const hiddenForMe = await storedMessage(api, id, bob.id);
    const moderated = await storedMessage(api, id, bob.id);
    await storedMessage(api, id, bob.id);
    expect((await conversationAs(api, ada, id)).unreadCount).toBe(4);
    await appendEvents(api, chatMessageStream(deleted.id), chatMessageEventCatalogue, [
      { type: 'ChatMessageDeleted', data: { messageId: deleted.id, conversationId: id, deletedBy: bob.id } },
    ]);
    await appendEvents(api, chatMemberStream(id, ada.id), chatMemberEventCatalogue, [
      {
        type: 'ChatMessageHiddenForMe',
        data: { conversationId: id, userId: ada.id, messageId: hiddenForMe.id },
      },
    ]);
    await appendEvents(api, moderationCaseStream(moderated.id), moderationEventCatalogue, [
      {
        type: 'ContentHidden',
        data: {
          targetKind: 'message',
          targetId: moderated.id,
          authorId: bob.id,
          moderatorId: randomUUID(),
          reason: 'spam',
        },
      },
    ]);
    expect((await conversationAs(api, ada, id)).unreadCount).toBe(1);
    // A message hidden for Ada cannot be marked by her either.
    expect(errorCodes(await mark('markConversationRead', ada, id, hiddenForMe.id))).toEqual([
      'NOT_FOUND/MESSAGE_NOT_FOUND',
    ]);
  });
});

describe('setConversationSettings', () => {
  it('sets the caller’s own flags, leaves others’ alone, and stores nothing when nothing changes', async () => {
    const [ada, bob] = [await person(), await person()];
    const { id } = await startDirect(api, ada, bob);
    const set = (user: TestUser, flags: { muted: boolean; archived: boolean; pinned: boolean }) =>
      api.gql(SETTINGS, { conversationId: id, ...flags }, user.accessToken);
    const flags = { muted: true, archived: false, pinned: true };
    const changed = fieldOf<ConversationView>(await set(ada, flags), 'setConversationSettings');
    expect(changed).toMatchObject(flags);
    expect(fieldOf<ConversationView>(await set(ada, flags), 'setConversationSettings')).toMatchObject(flags);
    expect(await eventsIn(api, chatMemberStream(id, ada.id))).toBe(1);
    expect(await conversationAs(api, bob, id)).toMatchObject({
      muted: false,
      archived: false,
      pinned: false,
    });
    const stranger = await person();
    expect(errorCodes(await set(stranger, flags))).toEqual(['NOT_FOUND/CONVERSATION_NOT_FOUND']);
  });
});
