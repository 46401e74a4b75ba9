import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxPage, unreadCount } from '../../src/api/notifications/inbox-queries.ts';
import { definitionOf } from '../../src/commands/event-codec.ts';
import { userEventCatalogue } from '../../src/domain/identity/user-events.ts';
import { inboxEventCatalogue } from '../../src/domain/notifications/inbox-events.ts';
import { notificationPreferencesEventCatalogue } from '../../src/domain/notifications/preferences-events.ts';
import { notificationIdFor } from '../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../src/domain/shared/event-catalogue.ts';
import { followEventCatalogue } from '../../src/domain/social/follow-events.ts';
import { likeEventCatalogue } from '../../src/domain/social/like-events.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { notificationsProjection } from '../../src/projections/read-models/notifications.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * What the notifications projection does with its recipients' choices and erasures: in-app off
 * keeps a hidden row for push (nothing shown, nothing counted), every channel off makes no row, a
 * security type ignores the switch, and a forgotten person gets no new rows. Then rebuilt and
 * compared table by table.
 */
describe('notifications projection and its recipients', () => {
  let p: Pipeline;
  let projector: Projector;
  const bus = new InProcessChangeBus();
  const deps = () => ({ store: p.store, pool: p.pool, bus, log: p.log });
  const [ada, ben, cy, gone] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const video = randomUUID();
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const at: Record<string, string> = {};
  let head = 0n;

  async function append<Event extends DomainEvent>(
    name: string,
    stream: string,
    catalogue: EventCatalogue<Event>,
    event: Event,
  ): Promise<void> {
    clock += 60_000;
    const definition = definitionOf(catalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const commandId = randomUUID();
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
    const id = randomUUID();
    const occurredAt = new Date(clock).toISOString();
    const encoded = await p.codec.encode(definition, event, { ...metadata, occurredAt }, id);
    head = (await p.store.append(stream, [encoded])).position;
    at[name] = id;
  }
  const prefs = (name: string, userId: string, channels: Record<string, Record<string, boolean>>) =>
    append(name, `notificationprefs-${userId}`, notificationPreferencesEventCatalogue, {
      type: 'NotificationPreferencesChanged',
      data: { userId, timeZone: 'UTC', quietHours: null, emailDigest: false, channels },
    });
  const follow = (name: string, follower: string, followee: string) =>
    append(name, `follow-${follower}-${followee}`, followEventCatalogue, {
      type: 'UserFollowed',
      data: { followerId: follower, followeeId: followee },
    });
  const inbox = async (recipient: string) =>
    (
      await p.pool.query(
        `select notification_id, type, in_app, read_at from notification_inbox
          where recipient_id = $1 order by updated_at, notification_id`,
        [recipient],
      )
    ).rows;

  beforeAll(async () => {
    p = await startPipeline('notifications_recipients');
    projector = new Projector(deps(), [notificationsProjection(p.codec)], { batchSize: 2 });
    await projector.start();
    // Ada: follows in-app off (push stays on by default), likes off everywhere.
    await prefs('ada prefs', ada, {
      new_follower: { in_app: false },
      video_liked: { in_app: false, push: false, email: false },
    });
    await follow('ben follows ada', ben, ada);
    await follow('cy follows ada', cy, ada);
    await append('ben likes', `like-${ben}-${video}`, likeEventCatalogue, {
      type: 'ContentLiked',
      data: { userId: ben, targetKind: 'video', targetId: video, authorId: ada },
    });
    // A security type's override (the decider refuses it; history could hold one) is ignored.
    await prefs('ben prefs', ben, { password_reset: { in_app: false, push: false, email: false } });
    await append('ben reset', `user-${ben}`, userEventCatalogue, {
      type: 'UserPasswordReset',
      data: { userId: ben, requestId: randomUUID(), passwordHash: 'x', at: new Date(clock).toISOString() },
    });
    // Ada switches follows back on: the next follow is a new, shown group; the hidden one stays hidden.
    await prefs('ada prefs again', ada, { video_liked: { in_app: false, push: false, email: false } });
    await follow('gone follows ada', gone, ada);
    await append('ada reads all', `notificationinbox-${ada}`, inboxEventCatalogue, {
      type: 'AllNotificationsMarkedRead',
      data: { userId: ada, upTo: new Date(clock + 30_000).toISOString() },
    });
    await follow('ada follows gone', ada, gone);
    await append('gone forgotten', `user-${gone}`, userEventCatalogue, {
      type: 'UserForgotten',
      data: { userId: gone, keyId: null, erasedFields: [], at: new Date(clock).toISOString() },
    });
    // After the erasure: neither a follow nor a later preferences event makes rows for them again.
    await prefs('gone prefs', gone, {});
    await follow('ben follows gone', ben, gone);
    await follow('cy follows gone', cy, gone);
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['notifications'] }),
    ).toBe(true);
  });
  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('keeps a hidden row (for push) when in-app is off, none when every channel is, and shows it nowhere', async () => {
    const hidden = notificationIdFor(at['ben follows ada'] ?? '', ada);
    const shown = notificationIdFor(at['gone follows ada'] ?? '', ada);
    expect(await inbox(ada)).toEqual([
      { notification_id: hidden, type: 'new_follower', in_app: false, read_at: null },
      { notification_id: shown, type: 'new_follower', in_app: true, read_at: expect.any(Date) },
    ]);
    const page = await inboxPage(p.pool, ada, { first: 10, after: undefined }, false);
    expect(page.map((row) => row.notification_id)).toEqual([shown]);
    expect(await unreadCount(p.pool, ada)).toBe(0);
  });

  it('ignores a switch on a security type', async () => {
    expect(await inbox(ben)).toEqual([
      expect.objectContaining({ type: 'password_reset', in_app: true, read_at: null }),
    ]);
    expect(await unreadCount(p.pool, ben)).toBe(1);
  });

  it('makes no rows for someone already forgotten', async () => {
    expect(await inbox(gone)).toEqual([]);
    const count = await p.pool.query('select * from notification_unread_counts where recipient_id = $1', [
      gone,
    ]);
    expect(count.rows).toEqual([]);
    const facts = await p.pool.query('select * from notification_recipient_facts where user_id = $1', [gone]);
    expect(facts.rows).toEqual([{ user_id: gone, channels: {}, forgotten: true }]);
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
      for (const table of report.comparison ?? [])
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      expect(await abandonRebuild(p.pool, 'notifications')).toBe(true);
    }
  });
});
