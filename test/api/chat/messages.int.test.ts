import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../../src/commands/event-codec.ts';
import { type MediaEvent, mediaEventCatalogue } from '../../../src/domain/media/media-events.ts';
import { mediaStream } from '../../../src/domain/media/streams.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { sendChatMessage } from '../../../src/services/chat/messages.ts';
import { mediaFixtures } from '../../support/media-fixtures.ts';
import { type MediaApp, requestUpload, startMediaApp } from '../media/support.ts';
import { makeModerator, QUEUE } from '../social/comments-support.ts';
import { errorCodes, fieldOf } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { deleteAsset, mediaAsset } from '../videos/support.ts';
import {
  addMembers,
  CONVERSATION_MESSAGES,
  chatServiceDeps,
  DELETE_FOR_EVERYONE,
  DELETE_FOR_ME,
  directOf,
  EDIT,
  groupOf,
  HISTORY,
  historyOf,
  MARK_READ,
  type MessageView,
  REACT,
  SEND,
  send,
  storedMessageEvents,
  UNREACT,
} from './message-support.ts';

let api: MediaApp;
let ada: TestUser;
let bob: TestUser;
let cy: TestUser;
let dee: TestUser;
let stranger: TestUser;
beforeAll(async () => {
  api = await startMediaApp();
  ada = await registerAndSignIn(api, 'Ada');
  bob = await registerAndSignIn(api, 'Bob');
  cy = await registerAndSignIn(api, 'Cy');
  dee = await registerAndSignIn(api, 'Dee');
  stranger = await registerAndSignIn(api, 'Stranger');
});
afterAll(async () => {
  await api?.close();
});

/** An asset the transcoding saga gave up on, its events appended as the saga leaves them. */
async function failedAsset(ownerId: string) {
  const assetId = randomUUID();
  const events: MediaEvent[] = [
    {
      type: 'MediaUploadRequested',
      data: {
        assetId,
        ownerId,
        kind: 'image',
        fileName: 'broken.png',
        contentType: 'image/png',
        declaredSize: 1_000,
        expiresAt: '2026-01-01T00:10:00.000Z',
      },
    },
    {
      type: 'MediaUploaded',
      data: {
        assetId,
        storageKey: `media/${assetId}/original`,
        size: 1_000,
        sha256: 'a'.repeat(64),
        detectedContentType: 'image/png',
      },
    },
    { type: 'MediaProcessingStarted', data: { assetId } },
    { type: 'MediaProcessingFailed', data: { assetId, stage: 'probe', reason: 'not an image' } },
  ];
  const id = randomUUID();
  const metadata = {
    commandId: id,
    correlationId: id,
    causationId: id,
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
  };
  const encoded = await Promise.all(
    events.map((event) => {
      const definition = definitionOf(mediaEventCatalogue, event.type);
      if (!definition) throw new Error(`${event.type} is not a media event`);
      return api.runtime.codec.encode(definition, event, metadata, randomUUID());
    }),
  );
  const { position } = await api.runtime.store.append(mediaStream(assetId), encoded);
  await waitForPosition(api.runtime.pool, api.runtime.bus, position, { timeoutMs: 5_000 });
  return assetId;
}

describe('sending', () => {
  it('sends text with attachments of the sender’s own uploads, shown to every member with signed URLs', async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const image = await mediaAsset(api, ada.id, { kind: 'image' });
    const voice = await mediaAsset(api, ada.id, { kind: 'audio' });
    const pending = await mediaAsset(api, ada.id, { kind: 'video', stage: 'processing' });
    const sent = await send(api, ada, groupId, '  Look at this  ', {
      attachmentIds: [image, voice, pending],
    });
    expect(sent).toMatchObject({
      conversationId: groupId,
      senderId: ada.id,
      text: 'Look at this',
      edited: false,
      deleted: false,
      replyTo: null,
      reactions: [],
      readByCount: 0,
    });
    expect(sent.position).toMatch(/^\d+$/);
    expect(sent.attachments.map(({ assetId, kind, status }) => ({ assetId, kind, status }))).toEqual([
      { assetId: image, kind: 'IMAGE', status: 'READY' },
      { assetId: voice, kind: 'VOICE', status: 'READY' },
      { assetId: pending, kind: 'VIDEO', status: 'PROCESSING' },
    ]);
    expect(sent.attachments[0]?.url).toMatch(/\/media\//);
    expect(sent.attachments[2]).toMatchObject({ url: null, thumbnailUrl: null });

    const seen = await historyOf(api, bob, groupId);
    expect(seen.nodes.map((m) => [m.id, m.text, m.attachments.length])).toEqual([
      [sent.id, 'Look at this', 3],
    ]);
    // Only attachments: the words are ''.
    const onlyImage = await send(api, cy, groupId, '', {
      attachmentIds: [await mediaAsset(api, cy.id, { kind: 'image' })],
    });
    expect(onlyImage).toMatchObject({ text: '', attachments: [{ kind: 'IMAGE' }] });
  });

  it('sends a really uploaded image: shown as uploaded at first, then served by its signed URL once ready', async () => {
    const png = await readFile((await mediaFixtures()).png);
    const ticket = await requestUpload(api, ada.accessToken, {
      kind: 'IMAGE',
      fileName: 'frame.png',
      contentType: 'image/png',
      size: png.length,
    });
    expect((await api.put(ticket.uploadUrl, png, { 'content-type': 'image/png' })).statusCode).toBe(200);
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, ada, groupId, 'Fresh off the camera', { attachmentIds: [ticket.assetId] });
    expect(sent.attachments).toEqual([
      { assetId: ticket.assetId, kind: 'IMAGE', status: 'UPLOADED', url: null, thumbnailUrl: null },
    ]);
    // The transcoding saga's last steps; an image without renditions is offered as uploaded.
    await api.asSaga(ticket.assetId, { type: 'StartProcessing' });
    await api.asSaga(ticket.assetId, {
      type: 'MarkReady',
      manifest: { renditions: [], hlsMaster: null, poster: null },
    });
    const [seen] = (await historyOf(api, bob, groupId)).nodes[0]?.attachments ?? [];
    expect(seen).toMatchObject({
      status: 'READY',
      url: expect.stringContaining(`/media/${ticket.assetId}/original`),
    });
    const served = await api.fetch(seen?.url ?? '');
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(png)).toBe(true);
  });

  it('answers a retried send with the same message, stored once', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const key = `send-${randomUUID()}`;
    const first = await send(api, ada, groupId, 'Once only', { key });
    const again = await send(api, ada, groupId, 'Once only', { key });
    expect(again.id).toBe(first.id);
    expect((await historyOf(api, bob, groupId)).nodes.map((m) => m.id)).toEqual([first.id]);
    expect(await storedMessageEvents(api, first.id)).toHaveLength(1);
    // The same key with other words is a different request, refused.
    const other = await api.gql(
      SEND,
      { conversationId: groupId, text: 'Something else', key },
      ada.accessToken,
    );
    expect(errorCodes(other)).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
  });

  it('replies to a message of the same conversation', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const question = await send(api, ada, groupId, 'Skate later?');
    const answer = await send(api, bob, groupId, 'Yes', { replyToId: question.id });
    expect(answer.replyTo).toEqual({ id: question.id, text: 'Skate later?' });
    // Each conversation of a list shows its own last message; each message of a page its reply.
    const list = `{ myChatConversations(first: 50) { nodes { id lastMessage { id replyTo { id } } } } }`;
    const listed = fieldOf<{
      nodes: { id: string; lastMessage: { id: string; replyTo: { id: string } | null } | null }[];
    }>(await api.gql(list, {}, bob.accessToken), 'myChatConversations');
    expect(listed.nodes.find((c) => c.id === groupId)?.lastMessage).toEqual({
      id: answer.id,
      replyTo: { id: question.id },
    });
    expect(listed.nodes.filter((c) => c.id !== groupId).every((c) => c.lastMessage?.id !== answer.id)).toBe(
      true,
    );
    expect((await historyOf(api, bob, groupId)).nodes.map((m) => m.replyTo?.id ?? null)).toEqual([
      null,
      question.id,
    ]);
    const elsewhere = await groupOf(api, bob, [cy]);
    const response = await api.gql(
      SEND,
      { conversationId: elsewhere, text: 'x', replyToId: question.id },
      bob.accessToken,
    );
    expect(errorCodes(response)).toEqual(['NOT_FOUND/REPLY_NOT_FOUND']);
  });

  it('refuses strangers, others’ and unusable attachments, too long and empty messages', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const refused = async (user: TestUser, variables: Record<string, unknown>) =>
      errorCodes(await api.gql(SEND, { conversationId: groupId, ...variables }, user.accessToken));
    expect(await refused(stranger, { text: 'Let me in' })).toEqual(['NOT_FOUND/CONVERSATION_NOT_FOUND']);
    expect(
      await refused(ada, { text: 'x', attachmentIds: [await mediaAsset(api, bob.id, { kind: 'image' })] }),
    ).toEqual(['NOT_FOUND/ATTACHMENT_NOT_FOUND']);
    expect(await refused(ada, { text: 'x', attachmentIds: [randomUUID()] })).toEqual([
      'NOT_FOUND/ATTACHMENT_NOT_FOUND',
    ]);
    expect(await refused(ada, { text: 'x', attachmentIds: [await failedAsset(ada.id)] })).toEqual([
      'VALIDATION/ATTACHMENT_NOT_USABLE',
    ]);
    const gone = await mediaAsset(api, ada.id, { kind: 'image' });
    await deleteAsset(api, gone, ada.id);
    expect(await refused(ada, { text: 'x', attachmentIds: [gone] })).toEqual([
      'VALIDATION/ATTACHMENT_NOT_USABLE',
    ]);
    expect(await refused(ada, { text: 'a'.repeat(5_000) })).toEqual(['VALIDATION/MESSAGE_TOO_LONG']);
    expect(await refused(ada, { text: '   ' })).toEqual(['VALIDATION/EMPTY_MESSAGE']);
    expect((await historyOf(api, ada, groupId)).nodes).toEqual([]);
    // 4,000 characters are fine.
    expect((await send(api, ada, groupId, 'b'.repeat(4_000))).text).toHaveLength(4_000);
  });

  it('refuses a direct message, and a reaction, either side of a block', async () => {
    const directId = await directOf(api, dee, stranger);
    const hi = await send(api, dee, directId, 'Hi');
    const block = `mutation ($userId: ID!) { blockUser(userId: $userId) { id } }`;
    expect((await api.gql(block, { userId: dee.id }, stranger.accessToken)).errors).toBeUndefined();
    for (const user of [dee, stranger]) {
      const response = await api.gql(
        SEND,
        { conversationId: directId, text: 'Still there?' },
        user.accessToken,
      );
      expect(errorCodes(response)).toEqual(['FORBIDDEN/BLOCKED']);
    }
    const reaction = await api.gql(REACT, { id: hi.id, emoji: '👋' }, stranger.accessToken);
    expect(errorCodes(reaction)).toEqual(['FORBIDDEN/BLOCKED']);
    await api.gql(
      `mutation ($userId: ID!) { unblockUser(userId: $userId) }`,
      { userId: dee.id },
      stranger.accessToken,
    );
  });
});

describe('editing and deleting', () => {
  it('lets the sender edit; the history keeps both wordings', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, ada, groupId, 'See you at 5');
    expect(errorCodes(await api.gql(EDIT, { id: sent.id, text: 'Mine now' }, bob.accessToken))).toEqual([
      'FORBIDDEN/NOT_SENDER',
    ]);
    expect(errorCodes(await api.gql(EDIT, { id: sent.id, text: 'x' }, stranger.accessToken))).toEqual([
      'NOT_FOUND/CONVERSATION_NOT_FOUND',
    ]);
    const edited = fieldOf<MessageView>(
      await api.gql(EDIT, { id: sent.id, text: 'See you at 6' }, ada.accessToken),
      'editChatMessage',
    );
    expect(edited).toMatchObject({ id: sent.id, text: 'See you at 6', edited: true });
    expect((await historyOf(api, bob, groupId)).nodes[0]).toMatchObject({
      text: 'See you at 6',
      edited: true,
    });
    const stored = await storedMessageEvents(api, sent.id);
    expect(stored.map((e) => [e.type, 'text' in e.data ? e.data.text : undefined])).toEqual([
      ['ChatMessageSent', 'See you at 5'],
      ['ChatMessageEdited', 'See you at 6'],
    ]);
  });

  it('deletes for me only: the others still see it', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, ada, groupId, 'Not for Bob’s eyes any more');
    expect(
      fieldOf(await api.gql(DELETE_FOR_ME, { id: sent.id }, bob.accessToken), 'deleteChatMessageForMe'),
    ).toBe(true);
    expect((await historyOf(api, bob, groupId)).nodes).toEqual([]);
    expect((await historyOf(api, ada, groupId)).nodes.map((m) => m.id)).toEqual([sent.id]);
  });

  it('deletes for everyone: the words are gone from the read model and from the stored events', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, ada, groupId, 'Oops, wrong chat');
    await api.gql(EDIT, { id: sent.id, text: 'Oops, wrong chat!!' }, ada.accessToken);
    expect(errorCodes(await api.gql(DELETE_FOR_EVERYONE, { id: sent.id }, bob.accessToken))).toEqual([
      'FORBIDDEN/NOT_SENDER',
    ]);
    const deleted = fieldOf<MessageView>(
      await api.gql(DELETE_FOR_EVERYONE, { id: sent.id }, ada.accessToken),
      'deleteChatMessageForEveryone',
    );
    expect(deleted).toMatchObject({ id: sent.id, text: null, deleted: true, attachments: [] });
    expect((await historyOf(api, bob, groupId)).nodes).toMatchObject([
      { id: sent.id, text: null, deleted: true },
    ]);
    const { rows } = await api.runtime.pool.query(
      'select text, deleted_at from chat_messages where message_id = $1',
      [sent.id],
    );
    expect(rows).toEqual([{ text: null, deleted_at: expect.any(Date) }]);
    const stored = await storedMessageEvents(api, sent.id);
    expect(stored.map((e) => e.type)).toEqual(['ChatMessageSent', 'ChatMessageEdited', 'ChatMessageDeleted']);
    expect(stored.filter((e) => 'text' in e.data).map((e) => ('text' in e.data ? e.data.text : 'x'))).toEqual(
      [null, null],
    );
    // A retry finishes the job and answers the same.
    const again = await api.gql(DELETE_FOR_EVERYONE, { id: sent.id }, ada.accessToken);
    expect(again.errors).toBeUndefined();
  });

  it('lets a group’s owner delete anyone’s message for everyone', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, bob, groupId, 'Spam spam spam');
    const deleted = await api.gql(DELETE_FOR_EVERYONE, { id: sent.id }, ada.accessToken);
    expect(deleted.errors).toBeUndefined();
    expect((await historyOf(api, bob, groupId)).nodes[0]).toMatchObject({ deleted: true, text: null });
  });
});

describe('reactions and receipts', () => {
  it('counts reactions by emoji and shows mine', async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const sent = await send(api, ada, groupId, 'Landed it');
    await api.gql(REACT, { id: sent.id, emoji: '🔥' }, bob.accessToken);
    await api.gql(REACT, { id: sent.id, emoji: '🔥' }, cy.accessToken);
    const reacted = fieldOf<MessageView>(
      await api.gql(REACT, { id: sent.id, emoji: '👏' }, bob.accessToken),
      'reactToChatMessage',
    );
    expect(reacted.reactions).toEqual([
      { emoji: '🔥', count: 2, reactedByMe: true },
      { emoji: '👏', count: 1, reactedByMe: true },
    ]);
    expect((await historyOf(api, ada, groupId)).nodes[0]?.reactions).toEqual([
      { emoji: '🔥', count: 2, reactedByMe: false },
      { emoji: '👏', count: 1, reactedByMe: false },
    ]);
    const removed = fieldOf<MessageView>(
      await api.gql(UNREACT, { id: sent.id, emoji: '🔥' }, bob.accessToken),
      'removeChatReaction',
    );
    expect(removed.reactions).toEqual([
      { emoji: '🔥', count: 1, reactedByMe: false },
      { emoji: '👏', count: 1, reactedByMe: true },
    ]);
    expect(errorCodes(await api.gql(REACT, { id: sent.id, emoji: 'two words' }, bob.accessToken))).toEqual([
      'VALIDATION/INVALID_EMOJI',
    ]);
    expect(errorCodes(await api.gql(REACT, { id: sent.id, emoji: '🔥' }, stranger.accessToken))).toEqual([
      'NOT_FOUND/CONVERSATION_NOT_FOUND',
    ]);
  });

  it('counts who read a group message, and whether the other read a direct one', async () => {
    const groupId = await groupOf(api, ada, [bob, cy]);
    const sent = await send(api, ada, groupId, 'Read me');
    expect(
      (await api.gql(MARK_READ, { conversationId: groupId, messageId: sent.id }, bob.accessToken)).errors,
    ).toBeUndefined();
    expect((await historyOf(api, ada, groupId)).nodes[0]).toMatchObject({
      readByCount: 1,
      readByOther: true,
      deliveredToOther: true,
      deliveredToAll: false,
    });
    const directId = await directOf(api, ada, dee);
    const direct = await send(api, ada, directId, 'Psst');
    expect(direct).toMatchObject({ readByOther: false, deliveredToOther: false });
    await api.gql(MARK_READ, { conversationId: directId, messageId: direct.id }, dee.accessToken);
    expect((await historyOf(api, ada, directId)).nodes[0]).toMatchObject({
      readByOther: true,
      deliveredToOther: true,
      deliveredToAll: true,
    });
  });
});

describe('history', () => {
  it('pages forward and backward by position, and shows only what was sent since a member joined', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    const sent: MessageView[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(api, i % 2 ? ada : bob, groupId, `m${i}`));
    const texts = (page: { nodes: MessageView[] }) => page.nodes.map((m) => m.text);

    const first = await historyOf(api, bob, groupId, { first: 2 });
    expect(texts(first)).toEqual(['m1', 'm2']);
    expect(first.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      endCursor: sent[1]?.position,
    });
    const second = await historyOf(api, bob, groupId, { first: 2, after: first.pageInfo.endCursor ?? '' });
    expect(texts(second)).toEqual(['m3', 'm4']);
    const third = await historyOf(api, bob, groupId, { first: 2, after: second.pageInfo.endCursor ?? '' });
    expect(texts(third)).toEqual(['m5']);
    expect(third.pageInfo.hasNextPage).toBe(false);

    const newest = await historyOf(api, bob, groupId, { last: 2 });
    expect(texts(newest)).toEqual(['m4', 'm5']);
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, startCursor: sent[3]?.position });
    const older = await historyOf(api, bob, groupId, { last: 2, before: newest.pageInfo.startCursor ?? '' });
    expect(texts(older)).toEqual(['m2', 'm3']);
    const oldest = await historyOf(api, bob, groupId, { last: 2, before: older.pageInfo.startCursor ?? '' });
    expect(texts(oldest)).toEqual(['m1']);
    expect(oldest.pageInfo.hasPreviousPage).toBe(false);
    expect(texts(await historyOf(api, bob, groupId))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    // A backward page is priced by its size as a forward one is: 100 messages with every field are too many.
    const huge = await api.gql(HISTORY, { conversationId: groupId, last: 100 }, bob.accessToken);
    expect(errorCodes(huge)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);

    // The conversation's own fields read the same history.
    const conversation = fieldOf<{ lastMessage: { id: string }; messages: { nodes: { id: string }[] } }>(
      await api.gql(CONVERSATION_MESSAGES, { id: groupId }, bob.accessToken),
      'chatConversation',
    );
    expect(conversation.lastMessage.id).toBe(sent[4]?.id);
    expect(conversation.messages.nodes.map((m) => m.id)).toEqual([sent[3]?.id, sent[4]?.id]);

    // Someone added later sees from their joining on; a stranger sees nothing.
    await addMembers(api, ada, groupId, [cy]);
    const after = await send(api, ada, groupId, 'Welcome Cy');
    expect((await historyOf(api, cy, groupId)).nodes.map((m) => m.id)).toEqual([after.id]);
    expect(
      errorCodes(await api.gql(HISTORY, { conversationId: groupId, last: 5 }, stranger.accessToken)),
    ).toEqual(['NOT_FOUND/CONVERSATION_NOT_FOUND']);
    expect(
      errorCodes(await api.gql(HISTORY, { conversationId: groupId, first: 1, last: 1 }, bob.accessToken)),
    ).toEqual(['VALIDATION/INVALID_INPUT']);
  });
});

describe('reports', () => {
  const REPORT = `mutation ($id: ID!) { reportContent(targetKind: message, targetId: $id, reason: harassment) }`;

  it('lets a member report a message to the moderators, who read its words; a stranger cannot', async () => {
    const moderator = await makeModerator(api);
    const groupId = await groupOf(api, ada, [bob]);
    const sent = await send(api, ada, groupId, 'You are awful');
    expect(errorCodes(await api.gql(REPORT, { id: sent.id }, stranger.accessToken))).toEqual([
      'NOT_FOUND/CONTENT_NOT_FOUND',
    ]);
    const reported = await api.gql(REPORT, { id: sent.id }, bob.accessToken);
    expect(reported.errors).toBeUndefined();
    const queued = async () =>
      fieldOf<{
        nodes: {
          targetKind: string;
          targetId: string;
          authorId: string;
          openReports: number;
          text: string | null;
        }[];
      }>(await api.gql(QUEUE, {}, moderator.accessToken), 'moderationQueue').nodes.find(
        (c) => c.targetId === sent.id,
      );
    expect(await queued()).toMatchObject({
      targetKind: 'message',
      authorId: ada.id,
      openReports: 1,
      text: 'You are awful',
    });
    // Deleted for everyone: the case stays, its words are gone for moderators too.
    expect((await api.gql(DELETE_FOR_EVERYONE, { id: sent.id }, ada.accessToken)).errors).toBeUndefined();
    expect(await queued()).toMatchObject({ targetKind: 'message', openReports: 1, text: null });
  });
});

describe('the text check', () => {
  it('holds flagged words for moderators: hidden from the others, shown to the sender, queued as held', async () => {
    const moderator = await makeModerator(api);
    const groupId = await groupOf(api, ada, [bob]);
    // The API wires chat's text check only when one is configured; the use case is called with one.
    const deps = chatServiceDeps(api);
    const context = {
      actor: { kind: 'user' as const, userId: ada.id, role: 'user' as const },
      correlationId: randomUUID(),
    };
    const held = await sendChatMessage(deps, context, { conversationId: groupId, text: 'go die' });
    const fine = await sendChatMessage(deps, context, { conversationId: groupId, text: 'Sorry, good luck' });

    expect((await historyOf(api, bob, groupId)).nodes.map((m) => m.id)).toEqual([fine]);
    expect((await historyOf(api, ada, groupId)).nodes.map((m) => m.id)).toEqual([held, fine]);
    const queue = fieldOf<{
      nodes: { targetKind: string; targetId: string; visibility: string; heldCategories: string[] | null }[];
    }>(await api.gql(QUEUE, {}, moderator.accessToken), 'moderationQueue');
    expect(queue.nodes.find((c) => c.targetId === held)).toMatchObject({
      targetKind: 'message',
      visibility: 'held',
      heldCategories: ['harassment'],
    });
    expect(queue.nodes.find((c) => c.targetId === fine)).toBeUndefined();
  });
});
