import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/domain/shared/domain-error.ts';
import { SYNC_LIMITS } from '../../../../src/domain/sync/change-types.ts';
import { viewOf } from '../../../../src/domain/sync/entity-views.ts';
import type { FeedSourceEvent } from '../../../../src/domain/sync/feed-records.ts';
import { InProcessChangeBus } from '../../../../src/projections/change-bus.ts';
import { Projector } from '../../../../src/projections/projector.ts';
import { chatProjection } from '../../../../src/projections/read-models/chat.ts';
import { communitiesProjection } from '../../../../src/projections/read-models/communities.ts';
import { communityDiscussionsProjection } from '../../../../src/projections/read-models/community-discussions.ts';
import { communityProgressProjection } from '../../../../src/projections/read-models/community-progress.ts';
import { socialModerationProjection } from '../../../../src/projections/read-models/social-moderation.ts';
import { syncConflictsProjection } from '../../../../src/projections/read-models/sync-conflicts.ts';
import { syncFeedProjection } from '../../../../src/projections/read-models/sync-feed.ts';
import { usersProjection } from '../../../../src/projections/read-models/users.ts';
import { waitForPosition } from '../../../../src/projections/wait-for-position.ts';
import {
  FEED_BOUND_PROJECTIONS,
  feedHead,
  projectionsFor,
} from '../../../../src/services/sync/feed/cursor.ts';
import { type PullResult, pullChanges, type SyncRecord } from '../../../../src/services/sync/feed/pull.ts';
import { scopeHash, userScopes } from '../../../../src/services/sync/feed/scopes.ts';
import { snapshotPage } from '../../../../src/services/sync/feed/snapshot.ts';
import { encodeSnapshotToken } from '../../../../src/services/sync/feed/snapshot-token.ts';
import { type Pipeline, startPipeline } from '../../../commands/fixtures/pipeline.ts';
import { syncEvents } from './sync-events.ts';

/**
 * The pull side over real read models: a person's scopes, pulls (paged on whole positions, one
 * record per entity, data as they may see it, loaded in one query per entity type), the re-seed
 * answers, and snapshots walked page by page with their tokens.
 */
describe('sync feed: pull and snapshot', () => {
  let p: Pipeline;
  let projector: Projector;
  let events: ReturnType<typeof syncEvents>;
  const bus = new InProcessChangeBus();
  const [ada, ben, community, other, conversation] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  const [thread, reply, gone, elsewhere, message] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  const [path, module, checkpoint, conflict, device] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  const [failedAttempt, passedAttempt] = [randomUUID(), randomUUID()];
  let head = 0n;
  let scopes: string[] = [];
  const track = async (position: Promise<bigint>) => {
    head = await position;
    return head;
  };
  const caughtUp = async () =>
    expect(
      await waitForPosition(p.pool, bus, head, { timeoutMs: 15_000, projections: FEED_BOUND_PROJECTIONS }),
    ).toBe(true);
  const pull = (cursor: bigint, pageSize?: number, who = ada, inScopes = scopes) =>
    pullChanges(
      { pool: p.pool },
      { userId: who, scopes: inScopes, cursor, ...(pageSize ? { pageSize } : {}) },
    );
  const records = (result: PullResult) => {
    if (!('records' in result)) throw new Error(`re-seed ${result.reseed}`);
    return result;
  };
  const attempt = (attemptId: string, attemptNumber: number, passed: boolean, clientTime: string) =>
    events.attempt({
      type: 'CheckpointAttemptSubmitted',
      data: {
        communityId: community,
        pathId: path,
        moduleId: module,
        checkpointId: checkpoint,
        checkpointVersion: 1,
        userId: ada,
        attemptId,
        attemptNumber,
        answers: null,
        clientTime,
        submittedAt: events.now(),
        score: passed ? 9 : 3,
        maxScore: 10,
        passMark: 70,
        passed,
        feedback: [],
      },
    });

  beforeAll(async () => {
    p = await startPipeline('sync_pull');
    events = syncEvents(p);
    projector = new Projector(
      { store: p.store, pool: p.pool, bus, log: p.log },
      [
        usersProjection(p.codec),
        communitiesProjection(p.codec),
        communityDiscussionsProjection(p.codec),
        communityProgressProjection(p.codec),
        chatProjection(p.codec),
        // Chat messages moderators hid are read there.
        socialModerationProjection(p.codec),
        syncFeedProjection,
        syncConflictsProjection(p.codec),
      ],
      { batchSize: 4 },
    );
    await projector.start();
    await track(events.registered(ada, 'Ada'));
    await track(events.registered(ben, 'Ben'));
    await track(
      events.user({ type: 'UserProfileChanged', data: { userId: ada, displayName: 'Ada L', bio: 'Maths' } }),
    );
    await track(events.user({ type: 'UserProfileChanged', data: { userId: ada, bio: 'Maths and music' } }));
    await track(events.community(community, ben));
    await track(events.joined(community, ben, 'owner'));
    await track(events.joined(community, ada));
    // Ada is not in the other community: its posts are not hers to see.
    await track(events.community(other, ben));
    await track(events.joined(other, ben, 'owner'));
    const started = (postId: string, communityId: string, title: string) =>
      events.post({
        type: 'CommunityThreadStarted',
        data: { communityId, postId, authorId: ben, title, body: `${title} words` },
      });
    await track(started(thread, community, 'Welcome'));
    await track(
      events.post({
        type: 'CommunityReplyPosted',
        data: {
          communityId: community,
          postId: reply,
          threadId: thread,
          parentId: thread,
          authorId: ada,
          body: 'Thanks',
          depth: 1,
        },
      }),
    );
    await track(started(gone, community, 'Soon gone'));
    await track(
      events.post({
        type: 'CommunityPostDeleted',
        data: { communityId: community, postId: gone, threadId: gone, authorId: ben },
      }),
    );
    await track(started(elsewhere, other, 'Elsewhere'));
    await track(events.conversation(conversation, ben, [ben, ada]));
    await track(
      events.message({
        type: 'ChatMessageSent',
        data: {
          messageId: message,
          conversationId: conversation,
          senderId: ben,
          text: 'hello Ada',
          replyToId: null,
          attachments: [],
        },
      }),
    );
    await track(
      events.moduleCompleted({ communityId: community, pathId: path, moduleId: module, userId: ada }),
    );
    await track(attempt(failedAttempt, 1, false, '2026-12-01T10:00:00.000+01:00'));
    await track(attempt(passedAttempt, 2, true, '2026-12-01T09:30:00.000+01:00'));
    await track(
      events.conflict({
        type: 'SyncConflictQueued',
        data: {
          conflictId: conflict,
          userId: ada,
          deviceId: device,
          changeId: 'change-1',
          changeType: 'post.edit',
          entityId: reply,
          communityId: community,
          baseVersion: 0,
          serverVersion: 1,
          clientTime: '2026-12-01T09:00:00.000+01:00',
          deviceValue: JSON.stringify({ body: 'offline words' }),
          serverValue: JSON.stringify({ body: 'Thanks' }),
        },
      }),
    );
    await caughtUp();
    scopes = await userScopes(p.pool, ada);
  });

  afterAll(async () => {
    await projector?.stop();
    await p?.close();
  });

  const everything = () => ({
    [`profile ${ada}`]: { op: 'upsert', data: { displayName: 'Ada L', bio: 'Maths and music' } },
    [`membership ${community}`]: {
      op: 'upsert',
      data: expect.objectContaining({ status: 'member', role: 'member' }),
    },
    [`communityPost ${thread}`]: {
      op: 'upsert',
      data: expect.objectContaining({
        communityId: community,
        kind: 'thread',
        title: 'Welcome',
        body: 'Welcome words',
      }),
    },
    [`communityPost ${reply}`]: {
      op: 'upsert',
      data: expect.objectContaining({ threadId: thread, parentId: thread, authorId: ada, body: 'Thanks' }),
    },
    [`communityPost ${gone}`]: { op: 'delete', data: null },
    [`chatMessage ${message}`]: {
      op: 'upsert',
      data: expect.objectContaining({ conversationId: conversation, senderId: ben, text: 'hello Ada' }),
    },
    [`moduleProgress ${module}`]: {
      op: 'upsert',
      data: expect.objectContaining({ communityId: community, percent: 100, completed: true }),
    },
    // The passed attempt wins over the later failed one.
    [`checkpointAnswer ${checkpoint}`]: {
      op: 'upsert',
      data: {
        communityId: community,
        attemptId: passedAttempt,
        clientTime: '2026-12-01T09:30:00.000+01:00',
        score: 9,
        maxScore: 10,
        passed: true,
        attempts: 2,
      },
    },
    [`syncConflict ${conflict}`]: {
      op: 'upsert',
      data: expect.objectContaining({
        changeId: 'change-1',
        status: 'open',
        deviceValue: { body: 'offline words' },
        serverValue: { body: 'Thanks' },
      }),
    },
  });
  const keyed = (list: readonly SyncRecord[]) =>
    Object.fromEntries(list.map((r) => [`${r.entityType} ${r.entityId}`, { op: r.op, data: r.data }]));

  it('lists the person`s scopes: their own, their communities, their conversations (sorted, hashed the same)', async () => {
    expect(scopes).toEqual([`community:${community}`, `conversation:${conversation}`, `user:${ada}`].sort());
    expect(scopeHash([...scopes].reverse())).toBe(scopeHash(scopes));
    expect(scopeHash([`user:${ada}`])).not.toBe(scopeHash(scopes));
  });

  it('pulls everything since the start in one page: one record per entity, as they may see it now', async () => {
    const result = records(await pull(-1n));
    expect(result).toMatchObject({ cursor: await feedHead(p.pool), hasMore: false });
    expect(result.cursor).toBe(head);
    expect(keyed(result.records)).toEqual(everything());
    // The profile changed three times: sent once, at its latest record, with its version.
    const profile = result.records.find((r) => r.entityType === 'profile');
    expect(profile?.version).toBe(2);
    const positions = result.records.map((r) => BigInt(r.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Nothing after the head: an empty page at the same cursor.
    expect(records(await pull(result.cursor))).toEqual({ records: [], cursor: head, hasMore: false });
  });

  it('loads a page in one query per entity type', async () => {
    const queries: string[] = [];
    const counting = {
      query: ((text: string, values?: unknown[]) => {
        queries.push(text);
        return p.pool.query(text, values);
      }) as typeof p.pool.query,
    };
    const result = records(await pullChanges({ pool: counting }, { userId: ada, scopes, cursor: -1n }));
    const types = new Set(result.records.filter((r) => r.op === 'upsert').map((r) => r.entityType));
    // The head, the page, and one per entity type with something to load.
    expect(queries.length).toBe(2 + types.size);
  });

  it('pages on whole positions, each cursor covering what was sent, and ends where one pull does', async () => {
    for (const pageSize of [1, 2, 3]) {
      let cursor = -1n;
      const seen: SyncRecord[] = [];
      for (let pages = 0; ; pages += 1) {
        expect(pages).toBeLessThan(40);
        const page = records(await pull(cursor, pageSize));
        expect(page.records.length).toBeLessThanOrEqual(pageSize);
        for (const record of page.records) {
          expect(BigInt(record.position)).toBeGreaterThan(cursor);
          expect(BigInt(record.position)).toBeLessThanOrEqual(page.cursor);
        }
        seen.push(...page.records);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      expect(cursor).toBe(head);
      // Applied in order, the pages leave the device with what one pull gives.
      const last = new Map(seen.map((r) => [`${r.entityType} ${r.entityId}`, { op: r.op, data: r.data }]));
      expect(Object.fromEntries(last)).toEqual(everything());
    }
  });

  it('never ends a page inside a position: a position with more records than a page is sent whole', async () => {
    const zed = randomUUID();
    const at = head.toString();
    const ids = [randomUUID(), randomUUID(), randomUUID()].sort();
    await p.pool.query(
      `insert into sync_changes (position, scope, entity_type, entity_id, version, deleted, event_type)
       select $1, $2, 'chatMessage', id, 0, false, 'ChatMessageSent' from unnest($3::text[]) id`,
      [at, `user:${zed}`, ids],
    );
    const page = records(await pull(-1n, 2, zed, [`user:${zed}`]));
    expect(page.records.map((r) => [r.entityId, r.op, r.position])).toEqual(
      ids.map((id) => [id, 'delete', at]),
    );
    expect(page.cursor).toBe(head);
  });

  it('sends a post of a community the person is not in (a stale scope list) as a deletion', async () => {
    const page = records(await pull(-1n, undefined, ada, [...scopes, `community:${other}`]));
    expect(page.records.find((r) => r.entityId === elsewhere)).toMatchObject({ op: 'delete', data: null });
    // And Ben, who is in it, sees it.
    const bens = records(await pull(-1n, undefined, ben, await userScopes(p.pool, ben)));
    expect(bens.records.find((r) => r.entityId === elsewhere)).toMatchObject({ op: 'upsert' });
    expect(bens.records.find((r) => r.entityType === 'syncConflict')).toBeUndefined();
  });

  it('asks a cursor past the head, or one too far behind, to re-seed', async () => {
    expect(await pull(head + 1n)).toEqual({ reseed: 'CURSOR_AHEAD' });
    const far = randomUUID();
    await p.pool.query(
      `insert into sync_changes (position, scope, entity_type, entity_id, version, deleted, event_type)
       select $1, $2, 'chatMessage', n::text, 0, false, 'ChatMessageSent' from generate_series(1, $3::int) n`,
      ['0', `user:${far}`, SYNC_LIMITS.maxBehind + 1],
    );
    expect(await pull(-1n, 10, far, [`user:${far}`])).toEqual({ reseed: 'TOO_FAR_BEHIND' });
    // Past those rows it is up to date.
    expect(records(await pull(0n, 10, far, [`user:${far}`])).records).toEqual([]);
  });

  it('walks a snapshot page by page to everything the person may see, then continues from its start', async () => {
    const seen: SyncRecord[] = [];
    let token: string | null = null;
    let cursor: bigint | undefined;
    for (let pages = 0; ; pages += 1) {
      expect(pages).toBeLessThan(40);
      const page = await snapshotPage({ pool: p.pool }, { userId: ada, scopes, token, pageSize: 2 });
      expect(page.records.length).toBeLessThanOrEqual(2);
      cursor ??= page.cursor;
      expect(page.cursor).toBe(cursor);
      seen.push(...page.records);
      token = page.nextToken;
      if (token === null) break;
    }
    expect(cursor).toBe(head);
    // Everything but the deleted post: a re-seeding device starts empty and needs no deletions.
    const { [`communityPost ${gone}`]: _deleted, ...visible } = everything();
    expect(keyed(seen)).toEqual(visible);
    expect(seen.every((r) => r.op === 'upsert')).toBe(true);
  });

  it('refuses a snapshot token it did not make, or one starting past the head', async () => {
    const refused = async (token: string) => {
      const error = await snapshotPage({ pool: p.pool }, { userId: ada, scopes, token }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'VALIDATION', reason: 'SNAPSHOT_TOKEN_INVALID' });
    };
    await refused('not a token!');
    await refused(Buffer.from('{"v":1}').toString('base64url'));
    await refused(
      Buffer.from(JSON.stringify({ v: 1, start: '1', stage: 99, after: null })).toString('base64url'),
    );
    await refused(encodeSnapshotToken({ start: head + 10n, stage: 0, after: null }));
    const fine = await snapshotPage(
      { pool: p.pool },
      { userId: ada, scopes, token: encodeSnapshotToken({ start: head, stage: 6, after: null }) },
    );
    expect(fine.records.map((r) => r.entityType)).toEqual(['syncConflict']);
    expect(fine.nextToken).toBeNull();
  });

  it('names the same winning checkpoint attempt as the push side on a tie of client times', async () => {
    const tied = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    const before = head;
    const submitted = (attemptId: string, attemptNumber: number, clientTime: string) => ({
      communityId: community,
      pathId: path,
      moduleId: module,
      checkpointId: tied,
      checkpointVersion: 1,
      userId: ada,
      attemptId,
      attemptNumber,
      answers: null,
      clientTime,
      submittedAt: events.now(),
      score: attemptNumber,
      maxScore: 10,
      passMark: 70,
      passed: false,
      feedback: [],
    });
    // The same instant, spelt two ways: the one submitted first stands, on both sides.
    const made = [
      submitted(first, 1, '2026-12-01T10:00:00.000+01:00'),
      submitted(second, 2, '2026-12-01T09:00:00.000Z'),
    ];
    for (const data of made) await track(events.attempt({ type: 'CheckpointAttemptSubmitted', data }));
    await caughtUp();
    const pulled = records(await pull(before)).records.find((r) => r.entityId === tied);
    const stream: FeedSourceEvent[] = made.map((data, revision) => ({
      type: 'CheckpointAttemptSubmitted',
      data,
      streamName: `checkpointattempts-${tied}`,
      revision,
      occurredAt: data.submittedAt,
    }));
    const pushSide = viewOf('checkpointAnswer', stream, tied);
    expect(pulled?.data).toMatchObject({ attemptId: first, score: 1, attempts: 2 });
    expect(pushSide?.value).toMatchObject({ attemptId: first, score: 1, attempts: 2 });
  });

  it('shows a change as soon as the feed and the read models it is loaded from have it, not a second later', async () => {
    expect(projectionsFor(['UserProfileChanged'])).toEqual(['sync_feed', 'users']);
    // The read models that handle these events, not every one their records are loaded from: a
    // message sent waits for chat, not for moderation (whose checkpoint moves about once a second).
    expect(projectionsFor(['ChatMessageSent'])).toEqual(['sync_feed', 'chat']);
    expect(projectionsFor(['ContentHidden'])).toEqual(['sync_feed', 'social_moderation']);
    expect(projectionsFor(['ChatMessageSent', 'UserForgotten']).sort()).toEqual(
      ['chat', 'community_discussions', 'sync_conflicts', 'sync_feed', 'users'].sort(),
    );
    const before = head;
    const at = await track(events.user({ type: 'UserProfileChanged', data: { userId: ada, bio: 'Now' } }));
    const started = Date.now();
    expect(
      await waitForPosition(p.pool, bus, at, {
        timeoutMs: 5_000,
        projections: projectionsFor(['UserProfileChanged']),
      }),
    ).toBe(true);
    const result = records(await pull(before));
    // Read models this change does not touch move their stored checkpoint only now and then: they
    // must not hold it back.
    expect(Date.now() - started).toBeLessThan(900);
    expect(result.cursor).toBe(at);
    expect(result.records).toEqual([
      expect.objectContaining({
        entityType: 'profile',
        entityId: ada,
        op: 'upsert',
        data: { displayName: 'Ada L', bio: 'Now' },
      }),
    ]);
  });

  it('holds back a record whose read model lags, from that record on, and sends it once applied', async () => {
    await caughtUp();
    const before = head;
    const fresh = randomUUID();
    const sent = await track(
      events.message({
        type: 'ChatMessageSent',
        data: {
          messageId: fresh,
          conversationId: conversation,
          senderId: ben,
          text: 'later',
          replyToId: null,
          attachments: [],
        },
      }),
    );
    await track(events.user({ type: 'UserProfileChanged', data: { userId: ada, bio: 'After the message' } }));
    await caughtUp();
    // The same database, with chat's checkpoint read as `lag` (as if it had applied no further).
    const lagging = (lag: bigint) =>
      ({
        query: async (text: string, values?: unknown[]) => {
          const result = await p.pool.query(text, values);
          if (!text.includes('from projection_state')) return result;
          const rows = result.rows.map((row: { name: string; checkpoint: string }) =>
            row.name === 'chat' ? { ...row, checkpoint: lag.toString() } : row,
          );
          return { ...result, rows };
        },
      }) as unknown as Pick<pg.Pool, 'query'>;
    // Chat behind the profile change, which it does not serve: nothing held back.
    expect(await feedHead(lagging(sent))).toBe(head);
    // Chat behind the message: the feed stops just before it.
    expect(await feedHead(lagging(sent - 1n))).toBe(sent - 1n);
    expect(await pullChanges({ pool: lagging(sent - 1n) }, { userId: ada, scopes, cursor: before })).toEqual({
      records: [],
      cursor: sent - 1n,
      hasMore: false,
    });
    // Once chat has applied it, the next pull sends the message and what came after.
    const caught = records(await pull(sent - 1n));
    expect(caught.cursor).toBe(head);
    expect(caught.records.map((r) => `${r.entityType} ${r.entityId}`)).toEqual([
      `chatMessage ${fresh}`,
      `profile ${ada}`,
    ]);
  });

  it('a message a moderator hides leaves the devices holding it, and comes back when restored', async () => {
    await caughtUp();
    const before = head;
    const moderated = (
      type: 'ContentHidden' | 'ContentRestored',
      targetKind: 'message' | 'video',
      targetId: string,
    ) =>
      events.moderation(
        type === 'ContentHidden'
          ? { type, data: { targetKind, targetId, authorId: ben, moderatorId: 'user:mod', reason: 'spam' } }
          : { type, data: { targetKind, targetId, authorId: ben, moderatorId: 'user:mod' } },
      );
    // A hidden video is not synced: no record.
    await track(moderated('ContentHidden', 'video', randomUUID()));
    const hidden = await track(moderated('ContentHidden', 'message', message));
    await caughtUp();
    // Moderation behind the hiding holds the feed back just before it (its records are made from
    // events moderation handles), and behind nothing else.
    const moderationAt = (lag: bigint) =>
      ({
        query: async (text: string, values?: unknown[]) => {
          const result = await p.pool.query(text, values);
          if (!text.includes('from projection_state')) return result;
          const rows = result.rows.map((row: { name: string; checkpoint: string }) =>
            row.name === 'social_moderation' ? { ...row, checkpoint: lag.toString() } : row,
          );
          return { ...result, rows };
        },
      }) as unknown as Pick<pg.Pool, 'query'>;
    expect(await feedHead(moderationAt(hidden - 1n))).toBe(hidden - 1n);
    expect(await feedHead(moderationAt(hidden))).toBe(head);
    const gone = records(await pull(before));
    expect(gone.cursor).toBe(hidden);
    expect(gone.records).toEqual([
      expect.objectContaining({
        entityType: 'chatMessage',
        entityId: message,
        op: 'delete',
        data: null,
        position: hidden.toString(),
      }),
    ]);
    const restored = await track(moderated('ContentRestored', 'message', message));
    await caughtUp();
    const back = records(await pull(hidden));
    expect(back.cursor).toBe(restored);
    expect(back.records).toEqual([
      expect.objectContaining({
        entityType: 'chatMessage',
        entityId: message,
        op: 'upsert',
        data: expect.objectContaining({ senderId: ben, conversationId: conversation }),
      }),
    ]);
  });

  it('asks devices to re-seed when a community they follow is erased', async () => {
    const before = head;
    await track(events.communityErased(community, ben));
    await caughtUp();
    expect(await pull(before)).toEqual({ reseed: 'ERASURE' });
    // Only the community's devices: someone outside it pulls on without re-seeding.
    const outsider = randomUUID();
    expect(await pull(before, undefined, outsider, [`user:${outsider}`])).toEqual({
      records: [],
      cursor: await feedHead(p.pool),
      hasMore: false,
    });
    // The erased community is out of Ada's scopes; a fresh snapshot holds none of it.
    const now = await userScopes(p.pool, ada);
    expect(now).not.toContain(`community:${community}`);
    const snapshot = await snapshotPage({ pool: p.pool }, { userId: ada, scopes: now, token: null });
    expect(
      snapshot.records.filter((r) => r.entityType === 'communityPost' || r.entityType === 'membership'),
    ).toEqual([]);
    expect(records(await pull(snapshot.cursor, undefined, ada, now)).records).toEqual([]);
  });

  it('forgetting a person re-sends their words to the devices holding them, and re-seeds only their own', async () => {
    const cy = randomUUID();
    await track(events.registered(cy, 'Cy'));
    await caughtUp();
    const [adaScopes, benScopes, cyScopes] = await Promise.all(
      [ada, ben, cy].map((who) => userScopes(p.pool, who)),
    );
    const before = head;
    const forgotten = await track(
      events.user({
        type: 'UserForgotten',
        data: { userId: ben, keyId: null, erasedFields: ['email'], at: events.now() },
      }),
    );
    await caughtUp();
    // Ben's own devices drop what they hold of him and re-seed.
    expect(await pull(before, undefined, ben, benScopes)).toEqual({ reseed: 'ERASURE' });
    // Ada holds Ben's messages in their conversation: she re-reads them, emptied, at their versions.
    const adaPull = records(await pull(before, undefined, ada, adaScopes));
    expect(adaPull.cursor).toBe(forgotten);
    expect(adaPull.records.map((r) => [r.entityType, r.version, r.op, r.position])).toEqual([
      ['chatMessage', 0, 'upsert', forgotten.toString()],
      ['chatMessage', 0, 'upsert', forgotten.toString()],
    ]);
    expect(adaPull.records.map((r) => r.data)).toEqual([
      expect.objectContaining({ senderId: ben, text: null }),
      expect.objectContaining({ senderId: ben, text: null }),
    ]);
    // Cy holds nothing of Ben's: no re-seed, nothing to re-read, the cursor simply moves on.
    expect(await pull(before, undefined, cy, cyScopes)).toEqual({
      records: [],
      cursor: forgotten,
      hasMore: false,
    });
  });
});
