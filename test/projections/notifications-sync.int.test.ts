import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../src/commands/event-codec.ts';
import { describeNotification } from '../../src/domain/notifications/describe.ts';
import { type SyncConflictEvent, syncConflictEventCatalogue } from '../../src/domain/sync/conflict-events.ts';
import { syncConflictId, syncConflictsStream } from '../../src/domain/sync/streams.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { notificationsProjection } from '../../src/projections/read-models/notifications.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * The sync notices through the real projection: the conflicts stream's events, stored encrypted as
 * the service stores them, become inbox rows for the person, with neither side's words.
 */
describe('notifications of offline sync', () => {
  let p: Pipeline;
  let projector: Projector;
  const bus = new InProcessChangeBus();
  const [ada, device, community, post] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const conflictId = syncConflictId(ada, 'edit-1');
  let head = 0n;

  async function append(event: SyncConflictEvent) {
    const definition = definitionOf(syncConflictEventCatalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const commandId = randomUUID();
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: `user:${ada}` };
    const encoded = await p.codec.encode(
      definition,
      event,
      { ...metadata, occurredAt: new Date().toISOString() },
      randomUUID(),
    );
    head = (await p.store.append(syncConflictsStream(ada), [encoded])).position;
  }

  beforeAll(async () => {
    p = await startPipeline('notifications_sync');
    projector = new Projector(
      { store: p.store, pool: p.pool, bus, log: p.log },
      [notificationsProjection(p.codec)],
      {
        batchSize: 4,
      },
    );
    await projector.start();
    await append({
      type: 'SyncConflictQueued',
      data: {
        conflictId,
        userId: ada,
        deviceId: device,
        changeId: 'edit-1',
        changeType: 'post.edit',
        entityId: post,
        communityId: community,
        baseVersion: 0,
        serverVersion: 2,
        clientTime: '2026-12-07T10:00:00+01:00',
        deviceValue: JSON.stringify({ title: 'T', body: 'My offline words' }),
        serverValue: JSON.stringify({ title: 'T', body: 'Words from elsewhere' }),
      },
    });
    await append({
      type: 'SyncChangeOverruled',
      data: {
        userId: ada,
        deviceId: device,
        changeId: 'join-1',
        changeType: 'community.join',
        entityId: community,
        communityId: community,
        code: 'BANNED',
        message: 'You are banned from this community',
      },
    });
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['notifications'] }),
    ).toBe(true);
  });
  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('tells the person of their queued conflict and their overruled change, naming nobody', async () => {
    const { rows } = await p.pool.query(
      `select type, subject_kind, subject_id, actor_ids, data from notification_inbox
        where recipient_id = $1 order by source_position`,
      [ada],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        type: 'sync_conflict_queued',
        subject_kind: 'sync_conflict',
        subject_id: conflictId,
        actor_ids: [],
      }),
      expect.objectContaining({
        type: 'sync_change_overruled',
        subject_kind: 'community',
        subject_id: community,
        actor_ids: [],
        data: expect.objectContaining({ changeType: 'community.join', code: 'BANNED' }),
      }),
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain('offline words');
    expect(stored).not.toContain('from elsewhere');
    expect(stored).not.toContain('banned from');
    const [, overruled] = rows;
    expect(
      describeNotification({
        type: overruled.type,
        actorNames: [],
        actorCount: 0,
        subjectKind: overruled.subject_kind,
        subjectId: overruled.subject_id,
        data: overruled.data,
      }).path,
    ).toBe(`/communities/${community}`);
  });
});
