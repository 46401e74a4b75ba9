import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../src/commands/event-codec.ts';
import {
  type ChatConversationEvent,
  chatConversationEventCatalogue,
} from '../../src/domain/chat/conversation-events.ts';
import { type ChatMemberEvent, chatMemberEventCatalogue } from '../../src/domain/chat/member-events.ts';
import { type ChatMessageEvent, chatMessageEventCatalogue } from '../../src/domain/chat/message-events.ts';
import {
  chatConversationStream,
  chatMemberStream,
  chatMessageStream,
  directConversationId,
  messageTextSubject,
} from '../../src/domain/chat/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../src/domain/shared/event-catalogue.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { chatProjection } from '../../src/projections/read-models/chat.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * The chat read model from real events (encoded, encrypted and appended as the services do), one
 * append per step so the live projector sees them over many batches; then rebuilt in one batch and
 * one event per batch, both compared table by table with the live model.
 */
describe('chat projection', () => {
  let p: Pipeline;
  let projector: Projector;
  const bus = new InProcessChangeBus();
  const deps = () => ({ store: p.store, pool: p.pool, bus, log: p.log });

  const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const group = randomUUID();
  const direct = directConversationId(alice, dave);
  const [m1, m2, m3, m4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [image, voice, avatar] = [randomUUID(), randomUUID(), randomUUID()];

  let clock = Date.parse('2026-03-01T09:00:00.000Z');
  /** Each step's position and time, by name. */
  const at: Record<string, { position: string; time: string }> = {};

  async function append<Event extends DomainEvent>(
    name: string,
    stream: string,
    catalogue: EventCatalogue<Event>,
    ...events: Event[]
  ): Promise<void> {
    clock += 60_000;
    const time = new Date(clock).toISOString();
    const commandId = randomUUID();
    const encoded = await Promise.all(
      events.map((event) => {
        const definition = definitionOf(catalogue, event.type);
        if (!definition) throw new Error(`no definition for ${event.type}`);
        const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
        return p.codec.encode(definition, event, { ...metadata, occurredAt: time }, randomUUID());
      }),
    );
    const result = await p.store.append(stream, encoded);
    // The last event's position: a two-event step (leave + handover) names its second one `name`.
    at[name] = { position: result.position.toString(), time };
    if (events.length > 1) at[`${name}:first`] = { position: (result.position - 1n).toString(), time };
  }
  const conversation = (name: string, event: ChatConversationEvent, ...more: ChatConversationEvent[]) =>
    append(
      name,
      chatConversationStream(event.data.conversationId),
      chatConversationEventCatalogue,
      event,
      ...more,
    );
  const message = (name: string, event: ChatMessageEvent) =>
    append(name, chatMessageStream(event.data.messageId), chatMessageEventCatalogue, event);
  const member = (name: string, event: ChatMemberEvent) =>
    append(
      name,
      chatMemberStream(event.data.conversationId, event.data.userId),
      chatMemberEventCatalogue,
      event,
    );
  const pos = (name: string) => at[name]?.position;
  const time = (name: string) => at[name]?.time;

  const caughtUp = async () => {
    const head = Object.values(at).reduce(
      (top, { position }) => (BigInt(position) > top ? BigInt(position) : top),
      0n,
    );
    expect(await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['chat'] })).toBe(true);
  };
  const query = async (sql: string, params: unknown[] = []) => {
    const { rows } = await p.pool.query(sql, params);
    return rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
    );
  };

  beforeAll(async () => {
    p = await startPipeline('chat_projection');
    projector = new Projector(deps(), [chatProjection(p.codec)], { batchSize: 3 });
    await projector.start();

    await conversation('started', {
      type: 'ChatConversationStarted',
      data: {
        conversationId: group,
        kind: 'group',
        startedBy: alice,
        memberIds: [alice, bob, carol],
        title: 'Crew',
      },
    });
    await conversation('direct', {
      type: 'ChatConversationStarted',
      data: {
        conversationId: direct,
        kind: 'direct',
        startedBy: alice,
        memberIds: [alice, dave],
        title: null,
      },
    });
    type Sent = Extract<ChatMessageEvent, { type: 'ChatMessageSent' }>;
    const sent = (
      messageId: string,
      senderId: string,
      text: string,
      extra: Partial<Sent['data']> = {},
    ): Sent => ({
      type: 'ChatMessageSent',
      data: {
        messageId,
        conversationId: group,
        senderId,
        text,
        replyToId: null,
        attachments: [],
        ...extra,
      },
    });
    await message('m1', sent(m1, alice, 'hello world'));
    await message(
      'm2',
      sent(m2, bob, 'see attached', { replyToId: m1, attachments: [{ assetId: image, kind: 'image' }] }),
    );
    await message('m1 edited', {
      type: 'ChatMessageEdited',
      data: { messageId: m1, conversationId: group, text: 'hello brave world' },
    });
    const reaction = (type: 'ChatReactionAdded' | 'ChatReactionRemoved', userId: string, emoji: string) =>
      ({ type, data: { messageId: m1, conversationId: group, userId, emoji } }) as const;
    await message('bob thumbs', reaction('ChatReactionAdded', bob, '👍'));
    await message('carol party', reaction('ChatReactionAdded', carol, '🎉'));
    await message('carol unparty', reaction('ChatReactionRemoved', carol, '🎉'));

    const receipt = (type: 'ChatMessagesDelivered' | 'ChatMessagesRead', messageId: string, name: string) =>
      ({ type, data: { conversationId: group, userId: bob, messageId, position: pos(name) ?? '' } }) as const;
    await member('bob delivered m2', receipt('ChatMessagesDelivered', m2, 'm2'));
    // An older receipt reaching the projection does not move a mark back.
    await member('bob delivered m1', receipt('ChatMessagesDelivered', m1, 'm1'));
    await member('bob read m1', receipt('ChatMessagesRead', m1, 'm1'));
    await member('carol settings', {
      type: 'ChatMemberSettingsChanged',
      data: { conversationId: group, userId: carol, muted: true, archived: false, pinned: true },
    });
    await member('carol hid m2', {
      type: 'ChatMessageHiddenForMe',
      data: { conversationId: group, userId: carol, messageId: m2 },
    });
    await message('m2 deleted', {
      type: 'ChatMessageDeleted',
      data: { messageId: m2, conversationId: group, deletedBy: bob },
    });
    await p.keys.destroy(messageTextSubject(m2));
    await conversation('carol removed', {
      type: 'ChatMemberRemoved',
      data: { conversationId: group, memberId: carol, removedBy: alice },
    });
    await conversation('bob admin', {
      type: 'ChatMemberRoleChanged',
      data: { conversationId: group, memberId: bob, role: 'admin', changedBy: alice },
    });
    await message('m3', sent(m3, alice, 'while Carol was away'));
    await conversation('carol re-added', {
      type: 'ChatMembersAdded',
      data: { conversationId: group, memberIds: [carol], addedBy: bob },
    });
    await conversation(
      'alice left',
      { type: 'ChatMemberLeft', data: { conversationId: group, memberId: alice } },
      {
        type: 'ChatMemberRoleChanged',
        data: { conversationId: group, memberId: bob, role: 'owner', changedBy: 'handover' },
      },
    );
    await conversation('details', {
      type: 'ChatConversationDetailsChanged',
      data: { conversationId: group, title: 'Crew 2', avatarAssetId: avatar, changedBy: bob },
    });
    await message('m4', {
      type: 'ChatMessageSent',
      data: {
        messageId: m4,
        conversationId: direct,
        senderId: dave,
        text: '',
        replyToId: null,
        attachments: [{ assetId: voice, kind: 'voice' }],
      },
    });
    await caughtUp();
  });

  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('keeps each conversation`s details, member count, last message and last activity', async () => {
    expect(await query('select * from chat_conversations order by started_at')).toEqual([
      {
        conversation_id: group,
        kind: 'group',
        title: 'Crew 2',
        avatar_asset_id: avatar,
        started_by: alice,
        started_at: time('started'),
        // Alice left; Carol was removed and added again.
        member_count: 2,
        last_message_id: m3,
        last_message_position: pos('m3'),
        last_activity_at: time('details'),
        last_activity_position: pos('details'),
      },
      {
        conversation_id: direct,
        kind: 'direct',
        title: null,
        avatar_asset_id: null,
        started_by: alice,
        started_at: time('direct'),
        member_count: 2,
        last_message_id: m4,
        last_message_position: pos('m4'),
        last_activity_at: time('m4'),
        last_activity_position: pos('m4'),
      },
    ]);
  });

  it('keeps members: roles with the handover, leaving, re-joining with fresh receipts, watermarks, settings', async () => {
    const rows = await query(
      'select * from chat_members where conversation_id = $1 order by joined_position, user_id',
      [group],
    );
    const byUser = Object.fromEntries(rows.map((row) => [row.user_id, row]));
    expect(byUser[alice]).toMatchObject({
      role: 'owner',
      active: false,
      joined_position: pos('started'),
      left_at: time('alice left'),
    });
    expect(byUser[bob]).toMatchObject({
      role: 'owner',
      active: true,
      joined_at: time('started'),
      joined_position: pos('started'),
      left_at: null,
      delivered_position: pos('m2'),
      read_position: pos('m1'),
    });
    expect(byUser[carol]).toEqual({
      conversation_id: group,
      user_id: carol,
      role: 'member',
      active: true,
      joined_at: time('carol re-added'),
      joined_position: pos('carol re-added'),
      left_at: null,
      delivered_position: '0',
      read_position: '0',
      muted: true,
      archived: false,
      pinned: true,
    });
    const directMembers = await query(
      'select user_id, role, active from chat_members where conversation_id = $1 order by user_id',
      [direct],
    );
    expect(directMembers).toEqual(
      [alice, dave].sort().map((user_id) => ({ user_id, role: 'member', active: true })),
    );
  });

  it('keeps messages: edits counted, a deletion leaves a tombstone without words or attachments', async () => {
    const rows = await query(
      `select message_id, conversation_id, position, sender_id, text, reply_to_id, attachments, revisions,
              edited_at, deleted_at, sent_at from chat_messages order by position`,
    );
    expect(rows).toEqual([
      {
        message_id: m1,
        conversation_id: group,
        position: pos('m1'),
        sender_id: alice,
        text: 'hello brave world',
        reply_to_id: null,
        attachments: [],
        revisions: 1,
        edited_at: time('m1 edited'),
        deleted_at: null,
        sent_at: time('m1'),
      },
      {
        message_id: m2,
        conversation_id: group,
        position: pos('m2'),
        sender_id: bob,
        text: null,
        reply_to_id: m1,
        attachments: [],
        revisions: 0,
        edited_at: null,
        deleted_at: time('m2 deleted'),
        sent_at: time('m2'),
      },
      expect.objectContaining({ message_id: m3, position: pos('m3'), text: 'while Carol was away' }),
      expect.objectContaining({
        message_id: m4,
        conversation_id: direct,
        text: '',
        attachments: [{ assetId: voice, kind: 'voice' }],
      }),
    ]);
    const found = await query(
      `select message_id from chat_messages where search @@ plainto_tsquery('simple', $1) order by position`,
      ['world'],
    );
    expect(found).toEqual([{ message_id: m1 }]);
    expect(
      await query(
        `select message_id from chat_messages where search @@ plainto_tsquery('simple', 'attached')`,
      ),
    ).toEqual([]);
  });

  it('keeps reactions as they stand and what each member hid for themselves', async () => {
    expect(
      await query('select message_id, user_id, emoji, conversation_id, reacted_at from chat_reactions'),
    ).toEqual([
      { message_id: m1, user_id: bob, emoji: '👍', conversation_id: group, reacted_at: time('bob thumbs') },
    ]);
    expect(await query('select * from chat_hidden_messages')).toEqual([
      { user_id: carol, message_id: m2, conversation_id: group },
    ]);
  });

  it('lists every conversation and message event of a conversation in log order, and no member event', async () => {
    const line = (name: string, kind: string, ids: { message_id?: string; user_id?: string } = {}) => ({
      position: pos(name),
      kind,
      message_id: ids.message_id ?? null,
      user_id: ids.user_id ?? null,
      at: time(name),
    });
    expect(
      await query(
        'select position, kind, message_id, user_id, at from chat_timeline where conversation_id = $1 order by position',
        [group],
      ),
    ).toEqual([
      line('started', 'members_changed'),
      line('m1', 'message_sent', { message_id: m1 }),
      line('m2', 'message_sent', { message_id: m2 }),
      line('m1 edited', 'message_edited', { message_id: m1 }),
      line('bob thumbs', 'reaction_changed', { message_id: m1 }),
      line('carol party', 'reaction_changed', { message_id: m1 }),
      line('carol unparty', 'reaction_changed', { message_id: m1 }),
      line('m2 deleted', 'message_deleted', { message_id: m2 }),
      line('carol removed', 'members_changed', { user_id: carol }),
      line('bob admin', 'members_changed', { user_id: bob }),
      line('m3', 'message_sent', { message_id: m3 }),
      line('carol re-added', 'members_changed', { user_id: carol }),
      { ...line('alice left', 'members_changed', { user_id: alice }), position: pos('alice left:first') },
      line('alice left', 'members_changed', { user_id: bob }),
      line('details', 'details_changed'),
    ]);
  });

  it('gives the same tables when rebuilt, in one batch or one event per batch', async () => {
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        deps(),
        { ...chatProjection(p.codec), version: chatProjection(p.codec).version + 1 },
        {
          compare: true,
          swap: false,
          batchSize,
        },
      );
      expect(report.comparison?.length).toBe(Object.keys(chatProjection(p.codec).tables).length);
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(report.comparison?.find((t) => t.table === 'chat_timeline')?.rebuilt.rows).toBe(17);
      expect(await abandonRebuild(p.pool, 'chat')).toBe(true);
    }
  });
});
