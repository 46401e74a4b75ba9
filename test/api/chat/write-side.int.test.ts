import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { chatConversationEventCatalogue } from '../../../src/domain/chat/conversation-events.ts';
import { chatConversationStream, chatMessageStream } from '../../../src/domain/chat/streams.ts';
import { moderationCaseStream } from '../../../src/domain/social/moderation-events.ts';
import { sendChatMessage, sendMessageInput } from '../../../src/services/chat/messages.ts';
import { commandIdFor, envelope } from '../../../src/services/shared/command-context.ts';
import { appendEvents } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { CHANGE_ROLE, CREATE_GROUP, REMOVE_MEMBER } from './conversation-support.ts';
import {
  chatServiceDeps,
  DELETE_FOR_EVERYONE,
  EDIT,
  groupOf,
  historyOf,
  MARK_READ,
  REACT,
  SEND,
  send,
} from './message-support.ts';

let api: IdentityApp;
let ada: TestUser;
let bob: TestUser;
let cy: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  ada = await registerAndSignIn(api, 'Ada');
  bob = await registerAndSignIn(api, 'Bob');
  cy = await registerAndSignIn(api, 'Cy');
});
afterAll(async () => {
  await api?.close();
});

/** Makes the read model say what it said before `change` was projected: a projection lagging, or stuck. */
async function staleMember(conversationId: string, userId: string, row: { active: boolean; role: string }) {
  await api.runtime.pool.query(
    'update chat_members set active = $3, role = $4 where conversation_id = $1::uuid and user_id = $2::uuid',
    [conversationId, userId, row.active, row.role],
  );
}

const contextOf = (user: TestUser) => ({
  actor: { kind: 'user' as const, userId: user.id, role: 'user' as const },
  correlationId: randomUUID(),
});

describe('ids that differ only in case', () => {
  it('are one member of a new group, and the read model keeps up', async () => {
    const response = await api.gql(
      CREATE_GROUP,
      { title: 'Cases', memberIds: [bob.id, bob.id.toUpperCase(), ada.id.toUpperCase()] },
      ada.accessToken,
    );
    const group = fieldOf<{ id: string; memberCount: number }>(response, 'createGroupConversation');
    expect(group.memberCount).toBe(2);
    const [started] = await readStreamOrEmpty(api.runtime.store, chatConversationStream(group.id));
    expect((started?.data as { memberIds?: string[] } | undefined)?.memberIds).toEqual([ada.id, bob.id]);
    // The `chat` projection is still running: a later message reaches the other member.
    const later = await send(api, ada, group.id, 'Still here?');
    expect((await historyOf(api, bob, group.id)).nodes.map((m) => m.id)).toEqual([later.id]);
  });

  it('stored before ids were normalised still project, as one member', async () => {
    const conversationId = randomUUID();
    // appendEvents waits for the projection: a refused batch would stop it, and the wait time out.
    await appendEvents(api, chatConversationStream(conversationId), chatConversationEventCatalogue, [
      {
        type: 'ChatConversationStarted',
        data: {
          conversationId,
          kind: 'group',
          startedBy: ada.id,
          memberIds: [ada.id, cy.id, cy.id.toUpperCase()],
          title: 'Old',
        },
      },
      {
        type: 'ChatMembersAdded',
        data: { conversationId, memberIds: [bob.id.toUpperCase(), bob.id], addedBy: ada.id },
      },
    ]);
    const { rows } = await api.runtime.pool.query(
      'select member_count from chat_conversations where conversation_id = $1::uuid',
      [conversationId],
    );
    expect(rows[0]?.member_count).toBe(3);
    const later = await send(api, ada, conversationId, 'Hello, old group');
    expect((await historyOf(api, cy, conversationId)).nodes.map((m) => m.id)).toEqual([later.id]);
    expect((await historyOf(api, bob, conversationId)).nodes.map((m) => m.id)).toEqual([later.id]);
  });
});

describe('membership and roles come from the conversation’s stream', () => {
  it('refuses a removed member at once, whatever the read model still shows', async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const message = await send(api, ada, groupId, 'Before');
    expect(
      (await api.gql(REMOVE_MEMBER, { conversationId: groupId, userId: bob.id }, ada.accessToken)).errors,
    ).toBeUndefined();
    await staleMember(groupId, bob.id, { active: true, role: 'member' });

    const notThere = ['NOT_FOUND/CONVERSATION_NOT_FOUND'];
    expect(
      errorCodes(await api.gql(SEND, { conversationId: groupId, text: 'Sneaky' }, bob.accessToken)),
    ).toEqual(notThere);
    expect(errorCodes(await api.gql(REACT, { id: message.id, emoji: '👍' }, bob.accessToken))).toEqual(
      notThere,
    );
    expect(
      errorCodes(
        await api.gql(MARK_READ, { conversationId: groupId, messageId: message.id }, bob.accessToken),
      ),
    ).toEqual(notThere);
  });

  it('refuses an admin demoted a moment ago what only admins do', async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const cys = await send(api, cy, groupId, 'Mine');
    const role = (r: string) =>
      api.gql(CHANGE_ROLE, { conversationId: groupId, userId: bob.id, role: r }, ada.accessToken);
    expect((await role('ADMIN')).errors).toBeUndefined();
    expect((await role('MEMBER')).errors).toBeUndefined();
    await staleMember(groupId, bob.id, { active: true, role: 'admin' });

    expect(errorCodes(await api.gql(DELETE_FOR_EVERYONE, { id: cys.id }, bob.accessToken))).toEqual([
      'FORBIDDEN/NOT_SENDER',
    ]);
  });
});

describe('reactions', () => {
  it('are emoji only, at most three per member on a message', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const message = await send(api, ada, groupId, 'React to me');
    const react = (emoji: string) => api.gql(REACT, { id: message.id, emoji }, bob.accessToken);
    for (const words of ['lol', 'call 0800', '👍a']) {
      expect(errorCodes(await react(words))).toEqual(['VALIDATION/INVALID_EMOJI']);
    }
    for (const emoji of ['👍', '🎉', '❤️']) expect((await react(emoji)).errors).toBeUndefined();
    expect(errorCodes(await react('😂'))).toEqual(['CONFLICT/TOO_MANY_REACTIONS']);
    const view = fieldOf<{ reactions: { emoji: string }[] }>(
      await api.gql(REACT, { id: message.id, emoji: '😂' }, ada.accessToken),
      'reactToChatMessage',
    );
    expect(view.reactions.map((r) => r.emoji).sort()).toEqual(['❤️', '🎉', '👍', '😂'].sort());
  });
});

describe('idempotency keys and message text', () => {
  it('keep the words out of the stored fingerprint, yet refuse a retry with other words', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const key = `send-${randomUUID()}`;
    const sent = await send(api, ada, groupId, 'The secret plan', { key });
    const [stored] = await readStreamOrEmpty(api.runtime.store, chatMessageStream(sent.id));
    const storedFingerprint = stored?.metadata.inputFingerprint;
    expect(typeof storedFingerprint).toBe('string');

    // What the same request with other words would have stored: the same, so the stored one tells
    // nothing about the words to someone guessing them.
    const context = contextOf(ada);
    const guess = sendMessageInput.parse({ conversationId: groupId, text: 'A guess', idempotencyKey: key });
    const commandId = commandIdFor(context, `sendChatMessage:${groupId}`, guess, { secrets: ['text'] });
    expect(commandId).toBe(sent.id);
    expect(envelope(context, commandId, new Date(), null).inputFingerprint).toBe(storedFingerprint);

    const retried = await api.gql(
      SEND,
      { conversationId: groupId, text: 'Another plan', key },
      ada.accessToken,
    );
    expect(errorCodes(retried)).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
    expect((await send(api, ada, groupId, '  The secret plan ', { key })).id).toBe(sent.id);
    // Edits too: the same words again is the same edit.
    const edited = await api.gql(EDIT, { id: sent.id, text: 'The new plan' }, ada.accessToken);
    expect(edited.errors).toBeUndefined();
  });
});

describe('the text check', () => {
  it('holds nothing for a send refused after it', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    expect(
      (await api.gql(REMOVE_MEMBER, { conversationId: groupId, userId: bob.id }, ada.accessToken)).errors,
    ).toBeUndefined();
    const context = contextOf(bob);
    const input = { conversationId: groupId, text: 'go die', idempotencyKey: `held-${randomUUID()}` };
    await expect(sendChatMessage(chatServiceDeps(api), context, input)).rejects.toMatchObject({
      reason: 'CONVERSATION_NOT_FOUND',
    });
    const messageId = commandIdFor(
      contextOf(bob),
      `sendChatMessage:${groupId}`,
      sendMessageInput.parse(input),
      {
        secrets: ['text'],
      },
    );
    expect(await readStreamOrEmpty(api.runtime.store, moderationCaseStream(messageId))).toEqual([]);
    expect(await readStreamOrEmpty(api.runtime.store, chatMessageStream(messageId))).toEqual([]);
  });
});
