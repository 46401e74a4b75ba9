import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../src/commands/event-codec.ts';
import { chatConversationEventCatalogue } from '../../src/domain/chat/conversation-events.ts';
import { chatMemberEventCatalogue } from '../../src/domain/chat/member-events.ts';
import { chatMessageEventCatalogue } from '../../src/domain/chat/message-events.ts';
import { userEventCatalogue } from '../../src/domain/identity/user-events.ts';
import { inboxEventCatalogue } from '../../src/domain/notifications/inbox-events.ts';
import { notificationIdFor } from '../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../src/domain/shared/event-catalogue.ts';
import { followEventCatalogue } from '../../src/domain/social/follow-events.ts';
import { likeEventCatalogue } from '../../src/domain/social/like-events.ts';
import { videoPostEventCatalogue } from '../../src/domain/videos/video-events.ts';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { applyEvents } from '../../src/projections/apply-events.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { notificationsProjection } from '../../src/projections/read-models/notifications.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { createTables, physicalTable } from '../../src/projections/tables.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * The notifications read model from real events (encoded as the services write them), one append
 * per step over many small batches: grouping, read marks, mutes, unfollows, the exact unread count;
 * then rebuilt (one batch, one event per batch) and compared table by table; then a fan-out to
 * 10,000 followers applied in one batch, counting its statements.
 */
describe('notifications projection', () => {
  let p: Pipeline;
  let projector: Projector;
  const bus = new InProcessChangeBus();
  const deps = () => ({ store: p.store, pool: p.pool, bus, log: p.log });
  const [ada, ben, cy, dee, eve] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [video, privateVideo, chat] = [randomUUID(), randomUUID(), randomUUID()];
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const at: Record<string, { id: string; position: string; time: string }> = {};
  let head = 0n;

  async function append<Event extends DomainEvent>(
    name: string,
    stream: string,
    catalogue: EventCatalogue<Event>,
    event: Event,
  ): Promise<void> {
    clock += 60_000;
    const time = new Date(clock).toISOString();
    const commandId = randomUUID();
    const definition = definitionOf(catalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
    const id = randomUUID();
    const encoded = await p.codec.encode(definition, event, { ...metadata, occurredAt: time }, id);
    const result = await p.store.append(stream, [encoded]);
    at[name] = { id, position: result.position.toString(), time };
    head = result.position;
  }
  const caughtUp = async () =>
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['notifications'] }),
    ).toBe(true);
  const rows = async (recipient: string) =>
    (
      await p.pool.query(
        `select notification_id, type, subject_id, actor_ids, actor_count, data, source_event_id,
                last_source_event_id, created_at, updated_at, read_at
           from notification_inbox where recipient_id = $1 order by updated_at desc, notification_id desc`,
        [recipient],
      )
    ).rows;
  const unread = async (recipient: string) =>
    (await p.pool.query('select unread from notification_unread_counts where recipient_id = $1', [recipient]))
      .rows[0]?.unread ?? 0;
  const actualUnread = async (recipient: string) =>
    Number(
      (
        await p.pool.query(
          'select count(*) from notification_inbox where recipient_id = $1 and read_at is null',
          [recipient],
        )
      ).rows[0]?.count,
    );
  const follow = (name: string, follower: string, followee: string) =>
    append(name, `follow-${follower}-${followee}`, followEventCatalogue, {
      type: 'UserFollowed',
      data: { followerId: follower, followeeId: followee },
    });
  const like = (name: string, userId: string) =>
    append(name, `like-${userId}-${video}`, likeEventCatalogue, {
      type: 'ContentLiked',
      data: { userId, targetKind: 'video', targetId: video, authorId: ada },
    });

  beforeAll(async () => {
    p = await startPipeline('notifications_projection');
    projector = new Projector(deps(), [notificationsProjection(p.codec)], { batchSize: 3 });
    await projector.start();
    await follow('ben follows', ben, ada);
    await follow('cy follows', cy, ada);
    await follow('dee follows', dee, ada);
    await append('dee unfollows', `follow-${dee}-${ada}`, followEventCatalogue, {
      type: 'UserUnfollowed',
      data: { followerId: dee, followeeId: ada, cause: 'unfollowed' },
    });
    const post = (name: string, postId: string, visibility: 'public' | 'private') =>
      append(name, `videopost-${postId}`, videoPostEventCatalogue, {
        type: 'VideoPostCreated',
        data: {
          postId,
          ownerId: ada,
          assetId: randomUUID(),
          title: 'Hi',
          description: '',
          tags: [],
          visibility,
        },
      });
    await post('posted', video, 'public');
    await post('posted privately', privateVideo, 'private');
    await like('ben likes', ben);
    await like('cy likes', cy);
    await like('ada likes her own', ada);
    await append('ada reads the likes', `notificationinbox-${ada}`, inboxEventCatalogue, {
      type: 'NotificationsMarkedRead',
      // Someone else's notification among them is ignored.
      data: {
        userId: ada,
        notificationIds: [
          notificationIdFor(at['ben likes']?.id ?? '', ada),
          notificationIdFor(at.posted?.id ?? '', ben),
        ],
      },
    });
    await like('dee likes', dee);
    await append('chat started', `chatconv-${chat}`, chatConversationEventCatalogue, {
      type: 'ChatConversationStarted',
      data: { conversationId: chat, kind: 'group', startedBy: ada, memberIds: [ada, ben, cy], title: null },
    });
    await append('cy mutes', `chatmember-${chat}-${cy}`, chatMemberEventCatalogue, {
      type: 'ChatMemberSettingsChanged',
      data: { conversationId: chat, userId: cy, muted: true, archived: false, pinned: false },
    });
    for (const name of ['message 1', 'message 2']) {
      const messageId = randomUUID();
      await append(name, `chatmsg-${messageId}`, chatMessageEventCatalogue, {
        type: 'ChatMessageSent',
        data: {
          messageId,
          conversationId: chat,
          senderId: ada,
          text: `words of ${name}`,
          replyToId: null,
          attachments: [],
        },
      });
    }
    await append('ben reset', `user-${ben}`, userEventCatalogue, {
      type: 'UserPasswordReset',
      data: { userId: ben, requestId: randomUUID(), passwordHash: 'x', at: new Date(clock).toISOString() },
    });
    await append('ben reads all', `notificationinbox-${ben}`, inboxEventCatalogue, {
      type: 'AllNotificationsMarkedRead',
      data: { userId: ben, upTo: new Date(clock + 60_000).toISOString() },
    });
    await append('eve follows', `follow-${eve}-${ben}`, followEventCatalogue, {
      type: 'UserFollowed',
      data: { followerId: eve, followeeId: ben },
    });
    await caughtUp();
  });
  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('tells followers of a public post (not a private one, not someone who unfollowed)', async () => {
    for (const follower of [ben, cy]) {
      expect((await rows(follower)).filter((row) => row.type === 'followed_user_posted')).toEqual([
        expect.objectContaining({
          notification_id: notificationIdFor(at.posted?.id ?? '', follower),
          subject_id: video,
          actor_ids: [ada],
          source_event_id: at.posted?.id,
        }),
      ]);
    }
    expect(await rows(dee)).toEqual([]);
  });

  it('groups unread follows and likes, never notifies the actor, and starts a new group after one is read', async () => {
    const inbox = await rows(ada);
    const follows = inbox.filter((row) => row.type === 'new_follower');
    expect(follows).toEqual([
      expect.objectContaining({
        notification_id: notificationIdFor(at['ben follows']?.id ?? '', ada),
        actor_ids: [dee, cy, ben],
        actor_count: 3,
        source_event_id: at['ben follows']?.id,
        last_source_event_id: at['dee follows']?.id,
        created_at: new Date(at['ben follows']?.time ?? ''),
        updated_at: new Date(at['dee follows']?.time ?? ''),
        read_at: null,
      }),
    ]);
    const likes = inbox.filter((row) => row.type === 'video_liked');
    expect(likes).toEqual([
      expect.objectContaining({
        notification_id: notificationIdFor(at['dee likes']?.id ?? '', ada),
        actor_ids: [dee],
        actor_count: 1,
        read_at: null,
      }),
      expect.objectContaining({
        notification_id: notificationIdFor(at['ben likes']?.id ?? '', ada),
        actor_ids: [cy, ben],
        actor_count: 2,
        data: { count: 2 },
        read_at: new Date(at['ada reads the likes']?.time ?? ''),
      }),
    ]);
  });

  it('tells chat members but the sender and those who muted, one group per conversation, without the words', async () => {
    const chats = (await rows(ben)).filter((row) => row.type === 'chat_message');
    expect(chats).toEqual([
      expect.objectContaining({
        notification_id: notificationIdFor(at['message 1']?.id ?? '', ben),
        subject_id: chat,
        actor_ids: [ada],
        actor_count: 1,
        data: expect.objectContaining({ count: 2 }),
      }),
    ]);
    expect(JSON.stringify(chats)).not.toContain('words of');
    expect((await rows(cy)).filter((row) => row.type === 'chat_message')).toEqual([]);
  });

  it('marks all read up to the instant given, keeping later ones unread, with exact counts', async () => {
    const inbox = await rows(ben);
    expect(inbox.map((row) => [row.type, row.read_at === null])).toEqual([
      ['new_follower', true],
      ['password_reset', false],
      ['chat_message', false],
      ['followed_user_posted', false],
    ]);
    for (const person of [ada, ben, cy, dee, eve])
      expect(await unread(person), person).toBe(await actualUnread(person));
    expect(await unread(ada)).toBe(2);
    expect(await unread(ben)).toBe(1);
  });

  it('gives the same tables when rebuilt, in one batch or one event per batch', async () => {
    const projection = notificationsProjection(p.codec);
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        deps(),
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false, batchSize },
      );
      expect(report.comparison?.length).toBe(Object.keys(projection.tables).length);
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(await abandonRebuild(p.pool, 'notifications')).toBe(true);
    }
  });

  it('fans a post out to 10,000 followers (two unfollowed) in one batch with a few statements, not one per follower', async () => {
    const projection = notificationsProjection(p.codec);
    const generation = 9_000 + Math.floor(Math.random() * 900);
    const client = await p.pool.connect();
    let statements = 0;
    const counting = new Proxy(client, {
      get(target, property) {
        if (property !== 'query') return Reflect.get(target, property);
        return (...args: unknown[]) => {
          statements += 1;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      },
    }) as pg.PoolClient;
    const owner = randomUUID();
    const followers = Array.from({ length: 10_000 }, () => randomUUID());
    let position = 1n;
    const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
      position += 1n;
      return {
        streamName: `test-${position}`,
        revision: 0n,
        position,
        id: randomUUID(),
        type,
        data,
        metadata: { occurredAt: new Date(Date.UTC(2026, 11, 1) + Number(position)).toISOString() },
        hash: '',
        createdAt: new Date(),
      };
    };
    const count = async (table: string, where = 'true') =>
      Number(
        (
          await client.query(
            `select count(*) from ${physicalTable(projection, table, generation)} where ${where}`,
          )
        ).rows[0]?.count,
      );
    try {
      await client.query('begin');
      await createTables(client, projection, generation);
      for (let from = 0; from < followers.length; from += 500) {
        await applyEvents(
          counting,
          projection,
          generation,
          followers
            .slice(from, from + 500)
            .map((follower) => recorded('UserFollowed', { followerId: follower, followeeId: owner })),
        );
      }
      // The follows too, 500 per batch: the prefetch reads each batch's rows in one query per table
      // (follows, follower heads, recipients' heads, counts, open groups), the open group's row of the
      // batch before is read once, then one upsert per table written (and, the first time, its columns).
      console.log(`20 batches of 500 follows: ${statements} statements`);
      expect(statements).toBeLessThanOrEqual(20 * 12 + 12);
      // One who unfollows from a sealed bucket, one from the bucket being filled, one twice.
      const gone = [followers[0], followers[followers.length - 1], followers[0]] as string[];
      await applyEvents(
        client,
        projection,
        generation,
        gone.map((follower) =>
          recorded('UserUnfollowed', { followerId: follower, followeeId: owner, cause: 'unfollowed' }),
        ),
      );
      const staying = followers.length - 2;
      statements = 0;
      const post = recorded('VideoPostCreated', {
        postId: randomUUID(),
        ownerId: owner,
        assetId: randomUUID(),
        title: 'Fan-out',
        description: '',
        tags: [],
        visibility: 'public',
      });
      const started = performance.now();
      await applyEvents(counting, projection, generation, [post]);
      const took = performance.now() - started;
      console.log(
        `fan-out to ${staying} of ${followers.length} followers (2 unfollowed): ${took.toFixed(0)} ms, ${statements} statements`,
      );
      expect(await count('notification_inbox', `source_event_id = '${post.id}'`)).toBe(staying);
      expect(
        await count(
          'notification_inbox',
          `source_event_id = '${post.id}' and recipient_id in ('${gone[0]}', '${gone[1]}')`,
        ),
      ).toBe(0);
      // Each follower has the post unread; the owner has their 10,000 follows, grouped in one row.
      expect(await count('notification_unread_counts', `unread = 1 and recipient_id <> '${owner}'`)).toBe(
        staying,
      );
      expect(
        await count('notification_inbox', `recipient_id = '${owner}' and actor_count = ${followers.length}`),
      ).toBe(1);
      // Reads: the video row (prefetch), the follower head (prefetch), its 19 sealed buckets (one
      // query), then the recipients' heads and counts (one query each); writes: one upsert per table.
      expect(statements).toBeLessThanOrEqual(12);
      expect(took).toBeLessThan(20_000);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
