import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import type { Projection } from '../../src/projections/projection.ts';
import { Projector } from '../../src/projections/projector.ts';
import { syncConflictsProjection } from '../../src/projections/read-models/sync-conflicts.ts';
import { syncFeedProjection } from '../../src/projections/read-models/sync-feed.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';
import { syncEvents } from '../services/sync/feed/sync-events.ts';

/**
 * The sync feed (`sync_changes`: one row per feed record, ids only) and the sync conflicts read
 * model from real events; a community's erasure and a person's forgetting; and both rebuilt in one
 * batch and one event per batch, compared table by table with the live ones.
 */
describe('sync projections', () => {
  let p: Pipeline;
  let projector: Projector;
  let events: ReturnType<typeof syncEvents>;
  const bus = new InProcessChangeBus();
  const deps = () => ({ store: p.store, pool: p.pool, bus, log: p.log });
  const projections = (): Projection[] => [syncFeedProjection, syncConflictsProjection(p.codec)];
  const [ada, ben, community, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [thread, conversation, message] = [randomUUID(), randomUUID(), randomUUID()];
  const [kept, adaMessage] = [randomUUID(), randomUUID()];
  const [k1, k2, k3, device] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const at: Record<string, string> = {};
  let head = 0n;
  const step = async (name: string, position: Promise<bigint>) => {
    head = await position;
    at[name] = head.toString();
  };
  const caughtUp = async () =>
    expect(
      await waitForPosition(p.pool, bus, head, {
        timeoutMs: 15_000,
        projections: ['sync_feed', 'sync_conflicts'],
      }),
    ).toBe(true);
  const queued = (conflictId: string, communityId: string | null, deviceValue: unknown) =>
    events.conflict({
      type: 'SyncConflictQueued',
      data: {
        conflictId,
        userId: ada,
        deviceId: device,
        changeId: `change-${conflictId}`,
        changeType: 'post.edit',
        entityId: thread,
        communityId,
        baseVersion: 0,
        serverVersion: 1,
        clientTime: '2026-12-01T08:00:00.000+01:00',
        deviceValue: JSON.stringify(deviceValue),
        serverValue: JSON.stringify({ title: 'server', body: 'server words' }),
      },
    });
  const conflicts = async () =>
    (
      await p.pool.query(
        `select conflict_id, user_id, community_id, change_id, status, resolution, device_value, server_value,
                resolved_at is not null as resolved
           from sync_conflicts order by queued_at`,
      )
    ).rows;

  beforeAll(async () => {
    p = await startPipeline('sync_projections');
    events = syncEvents(p);
    projector = new Projector(deps(), projections(), { batchSize: 3 });
    await projector.start();
    await step('ada registered', events.registered(ada, 'Ada'));
    await step(
      'ada renamed',
      events.user({ type: 'UserProfileChanged', data: { userId: ada, displayName: 'Ada L' } }),
    );
    await step('community', events.community(community, ben));
    await step('other community', events.community(other, ben));
    await step('ada joined', events.joined(community, ada));
    await step(
      'thread',
      events.post({
        type: 'CommunityThreadStarted',
        data: { communityId: community, postId: thread, authorId: ada, title: 'Hello', body: 'First words' },
      }),
    );
    await step(
      'thread deleted',
      events.post({
        type: 'CommunityPostDeleted',
        data: { communityId: community, postId: thread, threadId: thread, authorId: ada },
      }),
    );
    await step(
      'kept',
      events.post({
        type: 'CommunityThreadStarted',
        data: { communityId: community, postId: kept, authorId: ada, title: 'Stays', body: 'Ada words' },
      }),
    );
    await step(
      'kept edited',
      events.post({
        type: 'CommunityPostEdited',
        data: {
          communityId: community,
          postId: kept,
          threadId: kept,
          authorId: ada,
          title: 'Stays',
          body: 'Edited',
        },
      }),
    );
    await step(
      'ada message',
      events.message({
        type: 'ChatMessageSent',
        data: {
          messageId: adaMessage,
          conversationId: conversation,
          senderId: ada,
          text: 'hello from ada',
          replyToId: null,
          attachments: [],
        },
      }),
    );
    await step(
      'message',
      events.message({
        type: 'ChatMessageSent',
        data: {
          messageId: message,
          conversationId: conversation,
          senderId: ben,
          text: 'hi',
          replyToId: null,
          attachments: [],
        },
      }),
    );
    const moderation = {
      targetKind: 'message' as const,
      targetId: message,
      authorId: ben,
      moderatorId: 'user:mod',
    };
    await step(
      'message hidden',
      events.moderation({ type: 'ContentHidden', data: { ...moderation, reason: 'spam' } }),
    );
    // A video hidden is not synced; a message the feed never listed has nothing to refresh.
    await step(
      'video hidden',
      events.moderation({
        type: 'ContentHidden',
        data: { ...moderation, targetKind: 'video', targetId: randomUUID(), reason: 'spam' },
      }),
    );
    await step(
      'unknown held',
      events.moderation({
        type: 'ContentHeldForReview',
        data: { ...moderation, targetId: randomUUID(), categories: ['harassment'] },
      }),
    );
    await step('message restored', events.moderation({ type: 'ContentRestored', data: moderation }));
    await step('k1', queued(k1, community, { title: 'device', body: 'my words' }));
    await step('k2', queued(k2, null, { displayName: 'Offline Ada' }));
    await step('k3', queued(k3, other, { body: 'elsewhere' }));
    await step(
      'k2 resolved',
      events.conflict({
        type: 'SyncConflictResolved',
        data: {
          conflictId: k2,
          userId: ada,
          resolution: 'kept_server',
          communityId: null,
          resolvedValue: null,
        },
      }),
    );
    await step(
      'ada left',
      events.membership({ type: 'CommunityMemberLeft', data: { communityId: community, userId: ada } }),
    );
    await caughtUp();
  });

  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('keeps each open and resolved conflict with both values', async () => {
    expect(await conflicts()).toEqual([
      expect.objectContaining({
        conflict_id: k1,
        community_id: community,
        status: 'open',
        resolution: null,
        device_value: { title: 'device', body: 'my words' },
        server_value: { title: 'server', body: 'server words' },
        resolved: false,
      }),
      expect.objectContaining({
        conflict_id: k2,
        community_id: null,
        status: 'resolved',
        resolution: 'kept_server',
        device_value: { displayName: 'Offline Ada' },
        resolved: true,
      }),
      expect.objectContaining({ conflict_id: k3, community_id: other, status: 'open' }),
    ]);
  });

  it('deletes a community`s conflicts when it is erased and empties a forgotten person`s values', async () => {
    await step('other erased', events.communityErased(other, ben));
    await step(
      'ada forgotten',
      events.user({
        type: 'UserForgotten',
        data: { userId: ada, keyId: null, erasedFields: ['email'], at: events.now() },
      }),
    );
    await caughtUp();
    expect(await conflicts()).toEqual([
      expect.objectContaining({ conflict_id: k1, status: 'open', device_value: null, server_value: null }),
      expect.objectContaining({
        conflict_id: k2,
        status: 'resolved',
        device_value: null,
        server_value: null,
      }),
    ]);
  });

  it('writes one feed row per record: scope, entity, version (the stream revision), deleted', async () => {
    const { rows } = await p.pool.query(
      'select position::text, scope, entity_type, entity_id, version, deleted from sync_changes c order by c.position, c.scope',
    );
    const row = (
      name: string,
      scope: string,
      entity_type: string,
      entity_id: string,
      version: number,
      deleted = false,
    ) => ({
      position: at[name],
      scope,
      entity_type,
      entity_id,
      version,
      deleted,
    });
    expect(rows).toEqual([
      // UserRegistered: the user stream's first event.
      row('ada registered', `user:${ada}`, 'profile', ada, 0),
      row('ada renamed', `user:${ada}`, 'profile', ada, 1),
      // CommunityCreated is not a feed record.
      row('ada joined', `user:${ada}`, 'membership', community, 0),
      row('thread', `community:${community}`, 'communityPost', thread, 0),
      row('thread deleted', `community:${community}`, 'communityPost', thread, 1, true),
      row('kept', `community:${community}`, 'communityPost', kept, 0),
      row('kept edited', `community:${community}`, 'communityPost', kept, 1),
      row('ada message', `conversation:${conversation}`, 'chatMessage', adaMessage, 0),
      row('message', `conversation:${conversation}`, 'chatMessage', message, 0),
      // A moderator hid Ben's message, then restored it: the message again, at its own version (the
      // loader leaves a hidden one out, so devices drop it, then load it again).
      row('message hidden', `conversation:${conversation}`, 'chatMessage', message, 0),
      row('message restored', `conversation:${conversation}`, 'chatMessage', message, 0),
      row('k1', `user:${ada}`, 'syncConflict', k1, 0),
      row('k2', `user:${ada}`, 'syncConflict', k2, 1),
      row('k3', `user:${ada}`, 'syncConflict', k3, 2),
      row('k2 resolved', `user:${ada}`, 'syncConflict', k2, 3),
      row('ada left', `user:${ada}`, 'membership', community, 1, true),
      row('other erased', `community:${other}`, 'scope', `community:${other}`, 1, true),
      // Forgetting Ada: her own devices re-seed; the devices holding her words (the post she kept,
      // her message; not the thread she deleted, nor Ben's message) re-read them, at their versions.
      row('ada forgotten', `community:${community}`, 'communityPost', kept, 1),
      row('ada forgotten', `conversation:${conversation}`, 'chatMessage', adaMessage, 0),
      row('ada forgotten', `user:${ada}`, 'scope', `user:${ada}`, 2, true),
    ]);
  });

  it('keeps the type of the event each feed row was made from', async () => {
    const { rows } = await p.pool.query<{ event_type: string }>(
      'select distinct position, event_type from sync_changes where position = any($1::bigint[]) order by position',
      [[at['ada message'], at['message hidden'], at['message restored'], at['ada forgotten']]],
    );
    expect(rows.map((r) => r.event_type)).toEqual([
      'ChatMessageSent',
      'ContentHidden',
      'ContentRestored',
      'UserForgotten',
    ]);
  });

  it('gives the same tables when rebuilt, in one batch or one event per batch', async () => {
    for (const projection of projections()) {
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
        expect(await abandonRebuild(p.pool, projection.name)).toBe(true);
      }
    }
  });
});
