/**
 * Notifications benchmark (issue 22).
 *
 * FAN-OUT: FOLLOWERS people follow one creator, each with a web device subscribed to a real Web
 * Push service on loopback (test/support/push-service.ts: it verifies the VAPID JWT and decrypts
 * every message), all seeded as events through the projector. Then the creator posts a public
 * video — the one event that notifies every follower (followed_user_posted) — with the projector,
 * a Temporal worker (dev server started here) and the process manager running the production
 * reaction, workflow and activities (deliverNotifications, default settings). Measured from the
 * append: (a) seconds to the last inbox row (the notifications read model past the event) and
 * (b) seconds to the last push the push service accepted. Baselines in the same run: one plain
 * INSERT … SELECT of as many inbox rows from a plain followers table, into a copy of the inbox
 * table (same columns and indexes); and the same payloads to the same subscriptions sent by a plain
 * loop (`web-push` encryption + fetch) with the saga's concurrency.
 *
 * INBOX: a reader who follows CREATORS creators gets NOTIFICATIONS notifications (public posts of
 * those creators, not grouped), seeded as events through the projector. Measured p50/p99 through
 * GraphQL over HTTP: the first page of `myNotifications(first: 20)`, a page after a random deep
 * cursor (the second half of a full walk of the inbox, which is timed and checked for rows
 * missing or repeated) and `unreadNotificationCount`; baselines: the same page and count read with
 * plain SQL on the same tables.
 *
 * Prints the machine and ends with one JSON line of every figure. Full size by default (10,000
 * followers, 100,000 notifications); `--quick` for 1,000 and 10,000; BENCH_FOLLOWERS,
 * BENCH_NOTIFICATIONS, BENCH_CREATORS and BENCH_ROUNDS set each.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server.ts';
import { createLogger } from '../src/logger.ts';
import { outboundPolicy } from '../src/net/outbound-policy.ts';
import { createPushSender } from '../src/notifications/push/push-sender.ts';
import { resolveVapidKeys } from '../src/notifications/push/vapid-keys.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { createNotificationActivities } from '../src/workflows/notifications/activities.ts';
import { deliveryWorkflowId } from '../src/workflows/notifications/ids.ts';
import { notificationReactions } from '../src/workflows/notifications/reactions.ts';
import { DEFAULT_NOTIFICATION_DELIVERY_SETTINGS } from '../src/workflows/notifications/settings.ts';
import { saveCheckpoint } from '../src/workflows/process-manager/checkpoints.ts';
import { createProcessManager } from '../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../src/workflows/temporal-runtime.ts';
import { bundleWorkflows, createWorker, shutdownWorker, WORKFLOWS_PATH } from '../src/workflows/worker.ts';
import { benchApp } from './support/bench-app.ts';
import { graphqlClient } from './support/bench-graphql.ts';
import { printMachine, ratio, round } from './support/machine.ts';
import { type PlainPush, sendPlainPushes, timePushHalves } from './support/notifications-push.ts';
import { type ForkedPushService, forkPushService } from './support/notifications-push-service.ts';
import {
  appendEvents,
  deviceRegistered,
  followed,
  type SeedEvent,
  userRegistered,
  videoPosted,
} from './support/notifications-seed.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const QUICK = process.argv.includes('--quick');
const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? (QUICK ? 1_000 : 10_000));
const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS ?? (QUICK ? 10_000 : 100_000));
const CREATORS = Number(process.env.BENCH_CREATORS ?? (QUICK ? 100 : 1_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 50 : 200));
const APPEND_CONCURRENCY = 16;
/** The saga's sends in flight at once: the plain loop sends with as many. */
const PUSH_CONCURRENCY = DEFAULT_NOTIFICATION_DELIVERY_SETTINGS.concurrency;
const PAGE = 20;
const WAIT_MS = 60 * 60_000;
const AUTH_SECRET = 'bench-secret-that-is-at-least-32-characters-long';
const PASSWORD = 'benchmark password';
const LOOPBACK = outboundPolicy(['127.0.0.1']);
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'error');

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const stats = (values: number[]) => ({
  p50: Math.round(percentile(values, 50) * 10) / 10,
  p99: Math.round(percentile(values, 99) * 10) / 10,
});

async function main() {
  const db = await benchDatabase('notifications');
  printMachine({
    PostgreSQL: db.version,
    followers: String(FOLLOWERS),
    notifications: String(NOTIFICATIONS),
    creators: String(CREATORS),
  });
  const work = await mkdtemp(path.join(tmpdir(), 'chronicle-bench-notifications-'));
  const temporal = await startTemporalDevServer({ dataDir: work, port: await freePort(), log });
  installTemporalRuntime(log);
  const dataDir = path.join(work, 'data');
  const config = loadConfig({ AUTH_SECRET, DATA_DIR: dataDir, OUTBOUND_ALLOW_INTERNAL: '127.0.0.1' });
  const runtime = await openRuntime(config, log, db.url);
  const { store, codec, pool, bus, projections } = runtime;
  // As the projector role runs it (default batches): the fan-out is timed through it.
  const projector = new Projector({ store, pool, bus, log }, projections);
  await projector.start();
  const pushService = await forkPushService();
  const vapid = await resolveVapidKeys(config, dataDir);
  const [bundle, connection, temporalClient] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address: temporal.address }),
    connectTemporalClient(temporal.address),
  ]);
  const figures: Record<string, number> = {};
  // The API starts for the inbox part (the fan-out needs none of it).
  let app: Awaited<ReturnType<typeof benchApp>> | undefined;
  let gql: ReturnType<typeof graphqlClient> = () => Promise.reject(new Error('the API is not started'));
  const register = async (displayName: string) => {
    const email = `bench-${randomUUID()}@example.org`;
    const answer = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
      input: { email, password: PASSWORD, displayName },
    });
    return { email, userId: z.object({ id: z.string() }).parse(answer.register).id };
  };
  const signIn = async (email: string) => {
    const answer = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password: PASSWORD },
    });
    return z.object({ accessToken: z.string() }).parse(answer.login).accessToken;
  };
  const seedThrough = async (label: string, events: readonly SeedEvent[], readModels: string[]) => {
    const started = performance.now();
    const head = await appendEvents(store, codec, events, APPEND_CONCURRENCY);
    const appended = performance.now() - started;
    const reached = await waitForPosition(pool, bus, head, { timeoutMs: WAIT_MS, projections: readModels });
    if (!reached) throw new Error(`${readModels.join(', ')} did not reach ${head} within an hour`);
    const projected = performance.now() - started;
    console.log(
      `seeded ${label}: ${events.length} events appended in ${seconds(appended)} s (${round((events.length / appended) * 1000)}/s), ${readModels.join(' and ')} caught up after ${seconds(projected)} s`,
    );
    return head;
  };

  try {
    // ---- Fan-out: one post, FOLLOWERS followers, each with a subscribed web device. ----
    // The creator is named in every push; nobody signs in as them.
    const creator = { userId: randomUUID() };
    const followers = (await pushService.subscribe(FOLLOWERS, vapid.publicKey)).map((subscription) => ({
      userId: randomUUID(),
      deviceId: randomUUID(),
      subscription,
    }));
    const long = new Date(Date.now() - 86_400_000);
    const head = await seedThrough(
      `${FOLLOWERS} followers with a device each`,
      [
        userRegistered(creator.userId, 'Bench creator', long),
        ...followers.flatMap(({ userId, deviceId, subscription }) => [
          followed(userId, creator.userId, long),
          deviceRegistered(userId, deviceId, subscription, long),
        ]),
      ],
      ['notifications', 'devices', 'users'],
    );
    const { rows: deviceRows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from devices where push_endpoint is not null and unregistered_at is null',
    );
    console.log(`devices with a push subscription: ${deviceRows[0]?.n}`);

    // The saga as the worker role runs it, on a queue of its own; the process manager starts after
    // the seeding (its checkpoint at the head), so the post is the only event it reacts to.
    const taskQueue = `bench-notifications-${randomUUID()}`;
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities: createNotificationActivities({
        store,
        codec,
        log,
        pool,
        bus,
        push: createPushSender({ vapid, outbound: LOOPBACK, log }),
        mailer: null,
        publicUrl: 'http://127.0.0.1',
        authSecret: new TextEncoder().encode(AUTH_SECRET),
      }),
    });
    const running = worker.run();
    const managerName = 'bench-notifications';
    await saveCheckpoint(pool, managerName, head);
    const processManager = createProcessManager(
      { store, pool, codec, temporal: temporalClient.client, log },
      notificationReactions({ taskQueue }),
      { name: managerName },
    );
    await processManager.start();

    const post = videoPosted(creator.userId, randomUUID(), 'A new video for everyone', new Date());
    const started = Date.now();
    const position = await appendEvents(store, codec, [post], 1);
    const inboxReached = await waitForPosition(pool, bus, position, {
      timeoutMs: WAIT_MS,
      projections: ['notifications'],
    });
    const inboxMs = Date.now() - started;
    const { rows: inboxRows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from notification_inbox where source_event_id = $1',
      [post.id],
    );
    const inboxCount = inboxRows[0]?.n ?? 0;
    console.log(
      `\nfan-out to ${FOLLOWERS}: ${inboxCount} inbox rows after ${Math.round(inboxMs)} ms${inboxReached ? '' : ' (TIMED OUT)'}`,
    );
    const pushes = await pushesOf(pushService, FOLLOWERS, () =>
      sagaFinished(temporalClient.client, deliveryWorkflowId(post.id)),
    );
    const lastPush = Math.max(started, ...pushes.map((m) => m.receivedAt));
    const pushMs = lastPush - started;
    const { rows: states } = await pool.query<{ state: string; n: number }>(
      `select d.state, count(*)::int as n from notification_deliveries d
         join notification_inbox i on i.notification_id = d.notification_id and i.recipient_id = d.recipient_id
        where i.source_event_id = $1 group by d.state order by d.state`,
      [post.id],
    );
    const distinct = new Set(pushes.map((m) => m.endpointId)).size;
    const refused = await pushService.counts();
    console.log(
      `  pushes accepted ${pushes.length} (${distinct} devices), last after ${seconds(pushMs)} s; refused by the push service ${refused.rejected}${refused.rejections.length > 0 ? ` (${refused.rejections.join('; ')})` : ''}; deliveries ${states.map((s) => `${s.state} ${s.n}`).join(', ') || 'none'}`,
    );
    await processManager.stop();
    await shutdownWorker(worker, running);

    // Baseline: one INSERT … SELECT of as many rows from a plain followers table into a copy of
    // the inbox table (its columns, defaults and indexes).
    await pool.query(`create table bench_followers (followee_id uuid not null, follower_id uuid not null,
      primary key (followee_id, follower_id));
      create table bench_inbox (like notification_inbox including all);`);
    await pool.query('insert into bench_followers select $1::uuid, unnest($2::uuid[])', [
      creator.userId,
      followers.map((f) => f.userId),
    ]);
    await pool.query('analyze bench_followers; analyze bench_inbox');
    const sourceId = randomUUID();
    const plainInboxStarted = performance.now();
    const plainInsert = await pool.query(
      `insert into bench_inbox (recipient_id, notification_id, type, subject_kind, subject_id, group_key,
         actor_ids, actor_count, data, source_event_id, source_position, last_source_event_id, created_at,
         updated_at, read_at)
       select follower_id, gen_random_uuid(), 'followed_user_posted', 'video', $2, 'video:' || $2,
              array[followee_id], 1, '{}'::jsonb, $3, $4, $3, now(), now(), null
         from bench_followers where followee_id = $1`,
      [creator.userId, randomUUID(), sourceId, position.toString()],
    );
    const plainInboxMs = performance.now() - plainInboxStarted;

    // Baseline: the payloads the saga delivered, to the same subscriptions, from a plain loop.
    const subscriptionOf = new Map(followers.map((f) => [f.subscription.endpointId, f.subscription]));
    const plainPushes: PlainPush[] = pushes.map((message) => {
      const subscription = subscriptionOf.get(message.endpointId);
      if (!subscription) throw new Error(`a push to an unknown endpoint ${message.endpointId}`);
      return { subscription, payload: message.payload };
    });
    const before = (await pushService.counts()).received;
    const plainStarted = Date.now();
    const plainStatuses = await sendPlainPushes(plainPushes, vapid, PUSH_CONCURRENCY);
    const plainReceived = await pushService.received(before);
    const plainPushMs = Math.max(plainStarted, ...plainReceived.map((m) => m.receivedAt)) - plainStarted;
    console.log(
      `  baselines: INSERT … SELECT of ${plainInsert.rowCount} rows ${Math.round(plainInboxMs)} ms; ${plainReceived.length} plain web-push sends ${seconds(plainPushMs)} s (${[...plainStatuses].map(([s, n]) => `HTTP ${s} × ${n}`).join(', ')})`,
    );
    // Where a plain push's time goes, on a sample: the sender's encryption and signing alone, and
    // the push service taking prepared messages (its JWT check and decryption share this process).
    const sample = plainPushes.slice(0, Math.min(2_000, plainPushes.length));
    const halves = await timePushHalves(sample, vapid, PUSH_CONCURRENCY);
    const perSecond = (count: number, ms: number) => (ms > 0 ? round((count / ms) * 1000) : 0);
    console.log(
      `  of a plain push, on ${sample.length}: encrypting and signing ${perSecond(sample.length, halves.encryptMs)}/s; the push service taking prepared ones ${perSecond(sample.length, halves.receiveMs)}/s (${[...halves.statuses].map(([s, n]) => `HTTP ${s} × ${n}`).join(', ')})`,
    );
    const stateCount = (state: string) => states.find((s) => s.state === state)?.n ?? 0;
    Object.assign(figures, {
      fanout_followers: FOLLOWERS,
      fanout_inbox_rows: inboxCount,
      fanout_inbox_ms: Math.round(inboxMs),
      fanout_inbox_plain_ms: Math.round(plainInboxMs * 10) / 10,
      fanout_pushes_accepted: pushes.length,
      fanout_pushes_devices: distinct,
      fanout_pushes_refused: refused.rejected,
      fanout_deliveries_sent: stateCount('sent'),
      fanout_deliveries_failed: stateCount('failed'),
      fanout_deliveries_unknown: stateCount('unknown'),
      fanout_deliveries_pending: stateCount('pending'),
      fanout_push_s: seconds(pushMs),
      fanout_push_plain_s: seconds(plainPushMs),
      fanout_push_per_s: perSecond(pushes.length, pushMs),
      fanout_push_plain_per_s: perSecond(plainReceived.length, plainPushMs),
      push_sample: sample.length,
      push_encrypt_per_s: perSecond(sample.length, halves.encryptMs),
      push_service_receive_per_s: perSecond(sample.length, halves.receiveMs),
    });

    // ---- Inbox: a reader with NOTIFICATIONS notifications from CREATORS creators. ----
    app = await benchApp(runtime, log, { authSecret: AUTH_SECRET, readYourWritesTimeoutMs: 10_000 });
    gql = graphqlClient(await app.listen({ port: 0, host: '127.0.0.1' }));
    const reader = await register('Bench reader');
    const creators = Array.from({ length: CREATORS }, (_, i) => ({
      userId: randomUUID(),
      name: `Creator ${i}`,
    }));
    const joined = new Date(Date.now() - (NOTIFICATIONS + 86_400) * 1000);
    await seedThrough(
      `${CREATORS} creators the reader follows`,
      creators.flatMap((c) => [
        userRegistered(c.userId, c.name, joined),
        followed(reader.userId, c.userId, joined),
      ]),
      ['notifications', 'users'],
    );
    // One post a second up to a minute ago, round the creators: every notification its own row.
    const postsFrom = Date.now() - (NOTIFICATIONS + 60) * 1000;
    const inboxStarted = performance.now();
    await seedThrough(
      `${NOTIFICATIONS} posts notifying the reader`,
      Array.from({ length: NOTIFICATIONS }, (_, i) =>
        videoPosted(
          (creators[i % CREATORS] as { userId: string }).userId,
          randomUUID(),
          `Video ${i}`,
          new Date(postsFrom + i * 1000),
        ),
      ),
      ['notifications'],
    );
    const inboxSeedMs = performance.now() - inboxStarted;
    await pool.query('analyze');
    const { rows: readerRows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from notification_inbox where recipient_id = $1',
      [reader.userId],
    );
    const readerCount = readerRows[0]?.n ?? 0;

    // The walk: every page of 100, for the deep cursors and a check that none is missing or repeated.
    const WALK = `query ($after: String) { myNotifications(first: 100, after: $after) {
      nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const walkPage = z.object({
      myNotifications: z.object({
        nodes: z.array(z.object({ id: z.string() })),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      }),
    });
    let token = await signIn(reader.email);
    const cursors: { cursor: string; lastId: string }[] = [];
    const seen = new Set<string>();
    let walked = 0;
    const walkStarted = performance.now();
    for (let after: string | null = null; ; ) {
      const page: z.infer<typeof walkPage>['myNotifications'] = walkPage.parse(
        await gql(WALK, { after }, token),
      ).myNotifications;
      for (const node of page.nodes) seen.add(node.id);
      walked += page.nodes.length;
      const last = page.nodes.at(-1);
      const cursor = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage || !cursor || !last) break;
      after = cursor;
      cursors.push({ cursor, lastId: last.id });
    }
    const walkMs = performance.now() - walkStarted;
    console.log(
      `\ninbox of ${readerCount} notifications (seeded in ${seconds(inboxSeedMs)} s): walked ${walked} in ${seconds(walkMs)} s, ${readerCount - seen.size} missing, ${walked - seen.size} repeated`,
    );
    const deep = cursors.slice(Math.floor(cursors.length / 2));
    if (deep.length === 0) throw new Error('the walk found no deep cursor');
    // The same cursor for plain SQL: the keyset of the row it points after.
    const { rows: keysets } = await pool.query<{ notification_id: string; updated_at: Date }>(
      `select notification_id, updated_at from notification_inbox
        where recipient_id = $1 and notification_id = any($2::uuid[])`,
      [reader.userId, deep.map((d) => d.lastId)],
    );
    const keysetOf = new Map(keysets.map((k) => [k.notification_id, k.updated_at]));
    const pickDeep = () => deep[Math.floor(Math.random() * deep.length)] as (typeof deep)[number];

    const measure = async (name: string, ways: Record<string, () => Promise<unknown>>) => {
      token = await signIn(reader.email);
      for (let i = 0; i < 20; i++) for (const run of Object.values(ways)) await run();
      console.log(`${name.padEnd(38)}  p50 ms    p99 ms`);
      for (const [way, run] of Object.entries(ways)) {
        const { p50, p99 } = stats(await timeRounds(ROUNDS, run));
        console.log(`  ${way.padEnd(36)} ${String(p50).padStart(7)} ${String(p99).padStart(9)}`);
        figures[`${name}_${way}_p50_ms`] = p50;
        figures[`${name}_${way}_p99_ms`] = p99;
      }
    };
    const PAGE_QUERY = `query ($after: String) { myNotifications(first: ${PAGE}, after: $after) {
      nodes { id type title body path actors { id displayName } actorCount subjectKind subjectId read readAt
        createdAt updatedAt }
      pageInfo { hasNextPage endCursor } } }`;
    const plainPage = `select notification_id, type, subject_kind, subject_id, group_key, actor_ids, actor_count, data,
        created_at, updated_at, read_at
      from notification_inbox
     where recipient_id = $1 and ($2::timestamptz is null or (updated_at, notification_id) < ($2, $3::uuid))
     order by updated_at desc, notification_id desc limit ${PAGE + 1}`;
    await measure('inbox_first_page', {
      graphql: () => gql(PAGE_QUERY, { after: null }, token),
      plain_sql: () => pool.query(plainPage, [reader.userId, null, null]),
    });
    await measure('inbox_deep_page', {
      graphql: () => gql(PAGE_QUERY, { after: pickDeep().cursor }, token),
      plain_sql: () => {
        const { lastId } = pickDeep();
        return pool.query(plainPage, [reader.userId, keysetOf.get(lastId), lastId]);
      },
    });
    await measure('inbox_unread_count', {
      graphql: () => gql('{ unreadNotificationCount }', {}, token),
      plain_sql: () =>
        pool.query('select unread from notification_unread_counts where recipient_id = $1', [reader.userId]),
    });
    Object.assign(figures, {
      inbox_notifications: readerCount,
      inbox_seed_s: seconds(inboxSeedMs),
      inbox_walk_s: seconds(walkMs),
      inbox_walk_missing: readerCount - seen.size,
      inbox_walk_repeated: walked - seen.size,
    });

    console.log(
      `\n${''.padEnd(40)} ${'Chronicle'.padStart(10)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)}`,
    );
    const line = (label: string, ours: number | undefined, theirs: number | undefined) =>
      console.log(
        `${label.padEnd(40)} ${String(ours).padStart(10)} ${String(theirs).padStart(10)} ${(ours !== undefined && theirs ? ratio(ours, theirs) : Number.NaN).toFixed(2).padStart(7)}`,
      );
    line('fan-out: last inbox row (ms)', figures.fanout_inbox_ms, figures.fanout_inbox_plain_ms);
    line('fan-out: last push accepted (s)', figures.fanout_push_s, figures.fanout_push_plain_s);
    for (const name of ['inbox_first_page', 'inbox_deep_page', 'inbox_unread_count']) {
      line(`${name} p99 (ms)`, figures[`${name}_graphql_p99_ms`], figures[`${name}_plain_sql_p99_ms`]);
    }
    console.log(
      JSON.stringify({
        bench: 'notifications',
        cores: cpus().length,
        followers: FOLLOWERS,
        notifications: NOTIFICATIONS,
        creators: CREATORS,
        rounds: ROUNDS,
        ...figures,
      }),
    );
  } finally {
    await pushService.stop();
    await app?.close();
    await connection.close();
    await temporalClient.close();
    await projector.stop();
    await runtime.close();
    await temporal.stop();
    await db.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The pushes the push service accepted for the saga, once `expected` arrived or the saga ended
 * with fewer (failures are reported, not waited for); an hour at most.
 */
async function pushesOf(service: ForkedPushService, expected: number, finished: () => Promise<boolean>) {
  const deadline = Date.now() + WAIT_MS;
  while ((await service.counts()).received < expected && Date.now() < deadline) {
    if (await finished()) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return service.received(0);
}

/** Whether the delivery workflow has ended (completed, failed, …); false while it runs or before it starts. */
async function sagaFinished(
  client: Awaited<ReturnType<typeof connectTemporalClient>>['client'],
  workflowId: string,
): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name !== 'RUNNING';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
