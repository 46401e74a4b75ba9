import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionOf } from '../../src/commands/event-codec.ts';
import { userEventCatalogue } from '../../src/domain/identity/user-events.ts';
import { notificationIdFor, notificationInboxStream } from '../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../src/domain/shared/event-catalogue.ts';
import { followEventCatalogue } from '../../src/domain/social/follow-events.ts';
import { likeEventCatalogue } from '../../src/domain/social/like-events.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { notificationsProjection } from '../../src/projections/read-models/notifications.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import {
  type InboxDeps,
  markAllNotificationsRead,
  markNotificationsRead,
} from '../../src/services/notifications/inbox.ts';
import type { RequestContext } from '../../src/services/shared/command-context.ts';
import { type Pipeline, startPipeline } from '../commands/fixtures/pipeline.ts';

/**
 * Marking read through the use cases, against the live projection: only the caller's unread
 * notifications count, nothing is recorded when nothing changes, and the answers and the unread
 * count agree with the rows.
 */
describe('marking notifications read', () => {
  let p: Pipeline;
  let projector: Projector;
  let deps: InboxDeps;
  const bus = new InProcessChangeBus();
  const [ada, ben, cy] = [randomUUID(), randomUUID(), randomUUID()];
  const video = randomUUID();
  const ids: Record<string, string> = {};
  let head = 0n;
  const as = (userId: string): RequestContext => ({
    actor: { kind: 'user', userId, role: 'user' },
    correlationId: randomUUID(),
  });

  async function append<Event extends DomainEvent>(
    name: string,
    stream: string,
    catalogue: EventCatalogue<Event>,
    event: Event,
  ) {
    const definition = definitionOf(catalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const commandId = randomUUID();
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
    const id = randomUUID();
    const encoded = await p.codec.encode(
      definition,
      event,
      { ...metadata, occurredAt: new Date().toISOString() },
      id,
    );
    head = (await p.store.append(stream, [encoded])).position;
    ids[name] = id;
  }
  const caughtUp = async () =>
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: ['notifications'] }),
    ).toBe(true);
  const like = (name: string, userId: string) =>
    append(name, `like-${userId}-${video}`, likeEventCatalogue, {
      type: 'ContentLiked',
      data: { userId, targetKind: 'video', targetId: video, authorId: ada },
    });
  const unread = async (userId: string) =>
    Number(
      (await p.pool.query('select unread from notification_unread_counts where recipient_id = $1', [userId]))
        .rows[0]?.unread ?? 0,
    );
  /** Events recorded on a person's inbox stream (none yet: the stream does not exist). */
  const inboxEvents = async (userId: string) =>
    (await p.store.readStream(notificationInboxStream(userId)).catch(() => [])).length;

  beforeAll(async () => {
    p = await startPipeline('notifications_inbox');
    projector = new Projector(
      { store: p.store, pool: p.pool, bus, log: p.log },
      [notificationsProjection(p.codec)],
      {
        batchSize: 10,
      },
    );
    await projector.start();
    deps = {
      store: p.store,
      codec: p.codec,
      log: p.log,
      pool: p.pool,
      settle: (position) =>
        waitForPosition(p.pool, bus, position, { timeoutMs: 15_000, projections: ['notifications'] }),
    };
    await append('ben follows ada', `follow-${ben}-${ada}`, followEventCatalogue, {
      type: 'UserFollowed',
      data: { followerId: ben, followeeId: ada },
    });
    await append('ada follows ben', `follow-${ada}-${ben}`, followEventCatalogue, {
      type: 'UserFollowed',
      data: { followerId: ada, followeeId: ben },
    });
    await like('ben likes', ben);
    await append('ada reset', `user-${ada}`, userEventCatalogue, {
      type: 'UserPasswordReset',
      data: { userId: ada, requestId: randomUUID(), passwordHash: 'x', at: new Date().toISOString() },
    });
    await caughtUp();
  });
  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  it('marks only the caller`s unread notifications, ignoring others` and unknown ids', async () => {
    expect(await unread(ada)).toBe(3);
    const adasLike = notificationIdFor(ids['ben likes'] ?? '', ada);
    const bensFollow = notificationIdFor(ids['ada follows ben'] ?? '', ben);
    expect(
      await markNotificationsRead(deps, as(ada), [adasLike.toUpperCase(), bensFollow, randomUUID()]),
    ).toBe(1);
    expect(await unread(ada)).toBe(2);
    expect(await unread(ben)).toBe(1);
    const { rows } = await p.pool.query(
      'select read_at from notification_inbox where recipient_id = $1 and notification_id = $2',
      [ada, adasLike],
    );
    expect(rows[0]?.read_at).toBeInstanceOf(Date);
    // Read already: nothing to do, nothing recorded.
    expect(await markNotificationsRead(deps, as(ada), [adasLike])).toBe(0);
    expect(await inboxEvents(ada)).toBe(1);
    expect(await inboxEvents(ben)).toBe(0);
  });

  it('refuses malformed ids, too many ids and callers who are nobody', async () => {
    await expect(markNotificationsRead(deps, as(ada), ['nope'])).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'INVALID_ID',
    });
    const many = Array.from({ length: 101 }, () => randomUUID());
    await expect(markNotificationsRead(deps, as(ada), many)).rejects.toMatchObject({
      reason: 'TOO_MANY_IDS',
    });
    const anonymous: RequestContext = { actor: { kind: 'anonymous' }, correlationId: randomUUID() };
    await expect(markAllNotificationsRead(deps, anonymous)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SIGN_IN_REQUIRED',
    });
  });

  it('marks all read, then a new like starts a new unread notification (the read group stays closed)', async () => {
    expect(await markAllNotificationsRead(deps, as(ada))).toBe(2);
    expect(await unread(ada)).toBe(0);
    expect(await markAllNotificationsRead(deps, as(ada))).toBe(0);
    expect(await inboxEvents(ada)).toBe(2);
    await like('cy likes', cy);
    await caughtUp();
    expect(await unread(ada)).toBe(1);
    const { rows } = await p.pool.query(
      `select notification_id, actor_ids from notification_inbox
        where recipient_id = $1 and type = 'video_liked' and read_at is null`,
      [ada],
    );
    expect(rows).toEqual([
      { notification_id: notificationIdFor(ids['cy likes'] ?? '', ada), actor_ids: [cy] },
    ]);
  });
});
