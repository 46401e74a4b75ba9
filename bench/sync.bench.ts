/**
 * Offline sync benchmark (issue 23), against the production API on a real database and projector.
 * A learner's world is seeded as events (a community they own with paths of modules and
 * checkpoints, their threads, ten open communities, a group conversation with another member) and
 * their device syncs once (a new device: the snapshot pages, then the feed).
 * - Catch-up: the other member writes BENCH_BEHIND change records while the device is offline (chat
 *   messages and replies, seeded as events through the projector); the device catches up from its
 *   cursor through `sync` over GraphQL and through `POST /sync` (NDJSON): seconds, bytes received,
 *   round trips, every record received once. Baseline in the same run: the same feed rows and the
 *   read-model rows they name, read with plain SQL in pages of the same size. A second, new device
 *   re-seeds the same scope (snapshot pages) as a further figure.
 * - Push: BENCH_PUSH changes of every type in a realistic mix (chat messages, replies, progress,
 *   checkpoint answers, profile edits, post edits, some on stale versions, helpful marks, joins and
 *   leaves) in one sync: p50/p99 over BENCH_PUSH_ROUNDS runs via GraphQL (in requests of the form's
 *   limit, 100 changes) and via NDJSON (one request). Baseline in the same run: the same mix sent as
 *   one GraphQL mutation per change, as a client without sync would.
 * Prints the machine and ends with one JSON line of every figure.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import { SYNC_CHANGE_TYPES, SYNC_LIMITS, type SyncChangeType } from '../src/domain/sync/change-types.ts';
import { ALL_SCOPES, communityScope, conversationScope, userScope } from '../src/domain/sync/feed-records.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { benchApp } from './support/bench-app.ts';
import { graphqlClient } from './support/bench-graphql.ts';
import { printMachine } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import {
  type PushChange,
  type SyncForm,
  type SyncReply,
  type SyncRequest,
  syncVia,
} from './support/sync-client.ts';
import { appendSeed, backlog, type SyncWorld, syncDevice, syncWorld } from './support/sync-seed.ts';
import { percentile } from './support/timing.ts';

const BEHIND = Number(process.env.BENCH_BEHIND ?? 10_000);
const CATCH_UP_ROUNDS = Number(process.env.BENCH_CATCH_UP_ROUNDS ?? 3);
const PUSH = Number(process.env.BENCH_PUSH ?? 500);
const PUSH_ROUNDS = Number(process.env.BENCH_PUSH_ROUNDS ?? 10);
const AUTH_SECRET = 'bench-secret-that-is-at-least-32-characters-long';
const PAGE = SYNC_LIMITS.pageSize;

/** Seconds to the millisecond. */
const seconds3 = (n: number) => Math.round(n * 1000) / 1000;
const median = (values: number[]) => percentile(values, 50);

/** What a device keeps of the server: each entity's version (the baseVersion of its next change). */
class DeviceCopy {
  cursor: string | null = null;
  readonly versions = new Map<string, number>();
  readonly entities = new Set<string>();
  apply(reply: SyncReply) {
    for (const record of reply.changes) {
      const key = `${record.entityType}:${record.entityId}`;
      if (record.op === 'delete') {
        this.versions.delete(key);
        this.entities.delete(key);
      } else {
        this.versions.set(key, record.version);
        this.entities.add(key);
      }
    }
  }
  version(type: SyncChangeType, entityId: string) {
    return this.versions.get(`${SYNC_CHANGE_TYPES[type].entity}:${entityId}`) ?? -1;
  }
}

interface Walk {
  seconds: number;
  bytes: number;
  roundTrips: number;
  records: number;
  keys: Set<string>;
  reseeds: string[];
}

/**
 * Syncs with no changes until the feed has nothing more: through the snapshot pages first when
 * the device has no cursor (or is told to re-seed), then the feed from the cursor.
 */
async function pullAll(form: SyncForm, baseUrl: string, token: string, deviceId: string, copy: DeviceCopy) {
  const sync = syncVia(form);
  const walk: Walk = { seconds: 0, bytes: 0, roundTrips: 0, records: 0, keys: new Set(), reseeds: [] };
  const started = performance.now();
  let request: SyncRequest = { deviceId, cursor: copy.cursor };
  for (;;) {
    const reply = await sync(baseUrl, token, request);
    walk.roundTrips++;
    walk.bytes += reply.bytes;
    walk.records += reply.changes.length;
    for (const record of reply.changes) walk.keys.add(`${record.entityType}:${record.entityId}`);
    copy.apply(reply);
    if (reply.reseed) {
      if (walk.reseeds.at(-1) !== reply.reseed.reason) walk.reseeds.push(reply.reseed.reason);
      if (reply.reseed.nextSnapshotToken) {
        request = { deviceId, snapshotToken: reply.reseed.nextSnapshotToken };
        continue;
      }
    }
    copy.cursor = reply.cursor;
    if (!reply.hasMore) break;
    request = { deviceId, cursor: copy.cursor };
  }
  walk.seconds = (performance.now() - started) / 1000;
  return walk;
}

/** The device's offline work: PUSH changes in a realistic mix, in the order they were made. */
class OfflineLearner {
  private readonly progress = new Map<string, number>();
  private readonly passed = new Set<string>();
  private readonly helpful: string[];
  private made = 0;
  constructor(
    private readonly world: SyncWorld,
    private readonly conversationId: string,
    replyIds: string[],
    private readonly copy: DeviceCopy,
  ) {
    this.helpful = [...replyIds];
  }

  /** Shares of a batch (of 100): chat and replies most, then progress, answers and edits. */
  private static readonly MIX: [SyncChangeType, number][] = [
    ['chat.message', 34],
    ['community.reply', 12],
    ['module.progress', 15],
    ['checkpoint.answer', 10],
    ['profile.update', 6],
    ['post.edit', 7],
    ['community.markHelpful', 6],
    ['community.join', 5],
    ['community.leave', 5],
  ];

  batch(size: number): PushChange[] {
    const slots: SyncChangeType[] = [];
    for (const [type, share] of OfflineLearner.MIX) {
      for (let i = 0; i < Math.round((share * size) / 100); i++) slots.push(type);
    }
    while (slots.length < size) slots.push('chat.message');
    slots.length = size;
    for (let i = slots.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [slots[i], slots[j]] = [slots[j] as SyncChangeType, slots[i] as SyncChangeType];
    }
    // Joins and leaves pair up within the batch (each community joined is left again later), so the
    // person's scopes are the same after the sync as before: the push is measured, not a re-seed.
    const membershipSlots = slots.filter((t) => t === 'community.join' || t === 'community.leave').length;
    let remaining = membershipSlots;
    const joined: string[] = [];
    const free = [...this.world.openCommunityIds];
    const offline = Date.now() - size * 2_000;
    return slots.map((slot, index) => {
      let type = slot;
      if (type === 'community.join' || type === 'community.leave') {
        remaining--;
        const mayJoin = free.length > 0 && remaining >= joined.length + 1;
        type = joined.length === 0 || (mayJoin && Math.random() < 0.5) ? 'community.join' : 'community.leave';
      }
      // Made one every two seconds while offline; one in a hundred on a clock five minutes fast.
      const at = new Date(offline + index * 2_000 + (Math.random() < 0.01 ? 5 * 60_000 : 0));
      const change = (entityId: string, payload: Record<string, unknown>, stale = false): PushChange => {
        const version = this.copy.version(type, entityId);
        return {
          changeId: `bench-${randomUUID()}`,
          type,
          entityId,
          baseVersion: stale && version > 0 ? version - 1 : version,
          clientTime: at.toISOString(),
          payload,
        };
      };
      const n = this.made++;
      switch (type) {
        case 'chat.message':
          return change(this.conversationId, { text: `Offline on the train, note ${n}.` });
        case 'community.reply':
          return change(pick(this.world.threadIds), { body: `Here is what I found (${n}).` });
        case 'module.progress': {
          const module = pick(this.world.modules).moduleId;
          const percent = this.progress.get(module) ?? 0;
          // Mostly forward; a sixth of the time a lower figure from another device (superseded).
          const next =
            Math.random() < 1 / 6 ? Math.max(0, percent - 10) : Math.min(100, percent + 1 + rnd(5));
          this.progress.set(module, Math.max(percent, next));
          return change(module, { percent: next });
        }
        case 'checkpoint.answer': {
          const open = this.world.modules.filter((m) => !this.passed.has(m.checkpointId));
          const { checkpointId } = pick(open.length > 0 ? open : this.world.modules);
          const right = Math.random() < 0.05;
          if (right) this.passed.add(checkpointId);
          return change(checkpointId, {
            answers: [
              { questionId: 'q1', choices: ['a'] },
              { questionId: 'q2', text: right ? 'chlorophyll' : 'carotene' },
            ],
          });
        }
        case 'profile.update': {
          // A fifth edited on another device first: stale and older (superseded or merged).
          const stale = Math.random() < 0.2;
          const edit = change(
            this.world.learnerId,
            Math.random() < 0.5 ? { displayName: `Learner ${n}` } : { bio: `Reading about leaves (${n}).` },
            stale,
          );
          return stale ? { ...edit, clientTime: new Date(offline - 3_600_000).toISOString() } : edit;
        }
        case 'post.edit':
          // A fifth edited elsewhere in the meantime: queued for the person to settle.
          return change(
            pick(this.world.threadIds),
            { title: `Question, revised ${n}`, body: `What I meant to ask (${n}).` },
            Math.random() < 0.2,
          );
        case 'community.markHelpful':
          return change(this.helpful.shift() ?? pick(this.world.threadIds), {});
        case 'community.join': {
          const id = free.splice(rnd(free.length), 1)[0] as string;
          joined.push(id);
          return change(id, {});
        }
        case 'community.leave': {
          const id = joined.splice(rnd(joined.length), 1)[0] as string;
          free.push(id);
          return change(id, {});
        }
        default:
          throw new Error(`no offline change of type ${String(type)}`);
      }
    });
  }
}

const rnd = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(items: readonly T[]): T => items[rnd(items.length)] as T;

/** The same change as the one mutation a client without sync would send. */
function asMutation(change: PushChange): { query: string; variables: Record<string, unknown> } {
  const p = change.payload;
  const key = change.changeId;
  switch (change.type as SyncChangeType) {
    case 'chat.message':
      return {
        query:
          'mutation ($c: ID!, $t: String, $k: String) { sendChatMessage(conversationId: $c, text: $t, idempotencyKey: $k) { id } }',
        variables: { c: change.entityId, t: p.text, k: key },
      };
    case 'community.reply':
      return {
        query:
          'mutation ($p: ID!, $b: String!, $k: String) { replyInCommunity(parentId: $p, body: $b, idempotencyKey: $k) { __typename } }',
        variables: { p: change.entityId, b: p.body, k: key },
      };
    case 'module.progress':
      return {
        query:
          'mutation ($input: RecordModuleProgressInput!) { recordModuleProgress(input: $input) { __typename } }',
        variables: {
          input: {
            moduleId: change.entityId,
            percent: p.percent,
            clientTime: change.clientTime,
            idempotencyKey: key,
          },
        },
      };
    case 'checkpoint.answer':
      return {
        query: `mutation ($c: ID!, $a: [CheckpointAnswerInput!]!, $t: String!, $k: String) {
          submitCheckpointAttempt(checkpointId: $c, answers: $a, clientTime: $t, idempotencyKey: $k) { __typename } }`,
        // A device clock ahead is the server's to clamp in sync; a plain mutation is sent the device's time.
        variables: { c: change.entityId, a: p.answers, t: change.clientTime, k: key },
      };
    case 'profile.update':
      return {
        query: 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { __typename } }',
        variables: { input: { ...p, idempotencyKey: key } },
      };
    case 'post.edit':
      return {
        query:
          'mutation ($p: ID!, $t: String, $b: String!, $k: String) { editCommunityPost(postId: $p, title: $t, body: $b, idempotencyKey: $k) { __typename } }',
        variables: { p: change.entityId, t: p.title, b: p.body, k: key },
      };
    case 'community.markHelpful':
      return {
        query: 'mutation ($p: ID!) { markCommunityPostHelpful(postId: $p) { __typename } }',
        variables: { p: change.entityId },
      };
    case 'community.join':
      return {
        query: 'mutation ($c: ID!) { joinCommunity(communityId: $c) { __typename } }',
        variables: { c: change.entityId },
      };
    case 'community.leave':
      return {
        query: 'mutation ($c: ID!) { leaveCommunity(communityId: $c) }',
        variables: { c: change.entityId },
      };
  }
}

const graphqlErrors = z.object({
  errors: z.array(z.object({ extensions: z.object({ code: z.string().optional() }).optional() })).optional(),
});

async function main() {
  const db = await benchDatabase('sync');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({
    AUTH_SECRET,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-sync-')),
  });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, bus, codec, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 1_000 });
  await projector.start();
  const app = await benchApp(runtime, log, { authSecret: AUTH_SECRET, readYourWritesTimeoutMs: 10_000 });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const gql = graphqlClient(baseUrl);
  const figures: Record<string, number | string> = {};

  // The learner and the other member: real accounts, so every request goes through sign-in.
  const person = async (name: string) => {
    const email = `bench-${name}-${randomUUID()}@example.org`;
    const password = 'benchmark password';
    const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
      input: { email, password, displayName: name },
    });
    const signIn = async () => {
      const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
        input: { email, password },
      });
      return z.object({ accessToken: z.string() }).parse(login.login).accessToken;
    };
    const signedIn = {
      id: z.object({ id: z.string() }).parse(registered.register).id,
      token: await signIn(),
    };
    // Access tokens last 15 minutes and a full run takes longer: signed in again every five.
    const renew = setInterval(() => {
      signIn().then(
        (token) => {
          signedIn.token = token;
        },
        (error: unknown) => console.error('sign-in again failed', error),
      );
    }, 5 * 60_000);
    renew.unref();
    return signedIn;
  };
  const learner = await person('Learner');
  const other = await person('Other');
  const conversation = await gql(
    'mutation ($title: String, $memberIds: [ID!]!) { createGroupConversation(title: $title, memberIds: $memberIds) { id } }',
    { title: 'Study group', memberIds: [learner.id] },
    other.token,
  );
  const conversationId = z.object({ id: z.string() }).parse(conversation.createGroupConversation).id;
  const { world, phases } = syncWorld(learner.id, other.id, {
    paths: 6,
    modulesPerPath: 10,
    threads: 20,
    openCommunities: 10,
  });
  const deviceId = randomUUID();
  const secondDeviceId = randomUUID();
  let head = await appendSeed(
    store,
    codec,
    [...phases, [syncDevice(learner.id, deviceId), syncDevice(learner.id, secondDeviceId)]],
    16,
  );
  await waitForPosition(pool, bus, head, { timeoutMs: 5 * 60_000 });

  // The device's first sync: a new device is seeded from snapshot pages, then follows the feed.
  const copy = new DeviceCopy();
  const first = await pullAll('graphql', baseUrl, learner.token, deviceId, copy);
  console.log(
    `first sync of the device: ${first.records} records in ${first.roundTrips} round trips, ${first.seconds.toFixed(2)} s (${first.reseeds.join(', ') || 'no re-seed'})`,
  );
  const startCursor = copy.cursor;
  if (startCursor === null) throw new Error('the first sync gave no cursor');

  // Offline: the other member writes BEHIND change records the device will catch up on.
  const messages = Math.round(BEHIND * 0.6);
  const { phases: behindPhases, replyIds } = backlog(world, conversationId, {
    messages,
    replies: BEHIND - messages,
  });
  let started = performance.now();
  head = await appendSeed(store, codec, behindPhases, 16);
  await waitForPosition(pool, bus, head, { timeoutMs: 30 * 60_000 });
  console.log(
    `${BEHIND} change records written and projected in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const scopes = [
    userScope(learner.id),
    communityScope(world.communityId),
    conversationScope(conversationId),
    // The records every device sees (a person's erasure), as the feed reads them too.
    ALL_SCOPES,
  ];
  const { rows: feedRows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from sync_changes where scope = any($1) and position > $2::bigint',
    [scopes, startCursor],
  );
  figures.catchup_feed_records = feedRows[0]?.n ?? 0;
  const expected = new Set([
    ...replyIds.map((id) => `communityPost:${id}`),
    // The messages' ids are the events': read them from the feed rows of the conversation.
    ...(
      await pool.query<{ entity_id: string }>(
        `select entity_id from sync_changes where scope = $1 and position > $2::bigint and entity_type = 'chatMessage'`,
        [conversationScope(conversationId), startCursor],
      )
    ).rows.map((row) => `chatMessage:${row.entity_id}`),
  ]);

  // The baseline: the same feed rows and the read-model rows they name, in pages of the same size.
  // Each scope's rows read along its primary key (a lateral range per scope, as the feed reads them:
  // one `scope = any(...)` range sorted as a whole would re-read the rest of the backlog on every
  // page), then the same fields the feed's loaders send, from the same read-model rows.
  const plainPage = `with page as (
      select r.* from unnest($1::text[]) as s(scope)
      cross join lateral (
        select position, entity_type, entity_id, version, deleted from sync_changes
         where scope = s.scope and position > $2::bigint
         order by position, entity_type, entity_id limit ${PAGE + 1}) r
      order by r.position, r.entity_type, r.entity_id limit ${PAGE + 1})
    select c.position::text as position, c.entity_type, c.entity_id, c.version, c.deleted,
      m.conversation_id, m.sender_id, m.text, m.reply_to_id, m.attachments, m.position::text as message_position,
      m.sent_at, m.edited_at as message_edited_at, p.community_id, p.thread_id, p.parent_id, p.author_id, p.kind,
      p.title, p.body, p.status, p.pinned, p.helpful, p.created_at, p.edited_at
    from page c
    left join chat_messages m
      on m.message_id = (case when c.entity_type = 'chatMessage' then c.entity_id::uuid end)
    left join community_posts p
      on p.community_id = $3::uuid
     and p.post_id = (case when c.entity_type = 'communityPost' then c.entity_id::uuid end)
    order by c.position, c.entity_type, c.entity_id`;
  const plainWalk = async () => {
    const walk = { seconds: 0, bytes: 0, roundTrips: 0, records: 0 };
    const t0 = performance.now();
    let cursor = startCursor;
    for (;;) {
      // One row past the page says whether another follows, as the feed's own pull reads it.
      const { rows } = await pool.query<{ position: string }>(plainPage, [scopes, cursor, world.communityId]);
      const page = rows.slice(0, PAGE);
      walk.roundTrips++;
      walk.records += page.length;
      walk.bytes += Buffer.byteLength(JSON.stringify(page));
      if (rows.length <= PAGE) break;
      cursor = page.at(-1)?.position ?? cursor;
    }
    walk.seconds = (performance.now() - t0) / 1000;
    return walk;
  };

  const catchUps: Record<'graphql' | 'ndjson' | 'plain_sql', Omit<Walk, 'keys' | 'reseeds'>[]> = {
    graphql: [],
    ndjson: [],
    plain_sql: [],
  };
  let missing = 0;
  let reseeded = 0;
  for (let r = 0; r < CATCH_UP_ROUNDS; r++) {
    for (const form of ['graphql', 'ndjson'] as const) {
      // The same device from the same cursor each time: the server takes the cursor it is sent.
      const replay = new DeviceCopy();
      replay.cursor = startCursor;
      const walk = await pullAll(form, baseUrl, learner.token, deviceId, replay);
      catchUps[form].push(walk);
      missing += [...expected].filter((key) => !walk.keys.has(key)).length;
      reseeded += walk.reseeds.length;
    }
    catchUps.plain_sql.push(await plainWalk());
  }
  console.log(`\ncatch-up of ${figures.catchup_feed_records} feed records (median of ${CATCH_UP_ROUNDS})`);
  console.log('                 seconds     bytes  round trips  records');
  for (const [form, walks] of Object.entries(catchUps)) {
    const row = {
      s: seconds3(median(walks.map((w) => w.seconds))),
      bytes: median(walks.map((w) => w.bytes)),
      round_trips: median(walks.map((w) => w.roundTrips)),
      records: median(walks.map((w) => w.records)),
    };
    for (const [name, value] of Object.entries(row)) figures[`catchup_${form}_${name}`] = value;
    console.log(
      `${form.padEnd(14)} ${String(row.s).padStart(8)} ${String(row.bytes).padStart(10)} ${String(row.round_trips).padStart(11)} ${String(row.records).padStart(8)}`,
    );
  }
  figures.catchup_records_missing = missing;
  // The device itself (untimed): its copy now holds the records, the versions its pushes start from.
  await pullAll('graphql', baseUrl, learner.token, deviceId, copy);
  figures.catchup_reseeds = reseeded;
  console.log(`records missing: ${missing}; re-seeds asked: ${reseeded}`);

  // A new device of the same person: the whole scope from snapshot pages.
  const reseed = await pullAll('graphql', baseUrl, learner.token, secondDeviceId, new DeviceCopy());
  Object.assign(figures, {
    reseed_graphql_s: seconds3(reseed.seconds),
    reseed_graphql_bytes: reseed.bytes,
    reseed_graphql_round_trips: reseed.roundTrips,
    reseed_records: reseed.records,
    reseed_entities: reseed.keys.size,
  });
  console.log(
    `\nnew device re-seed: ${reseed.keys.size} entities, ${reseed.records} records in ${reseed.roundTrips} round trips, ${reseed.bytes} bytes, ${reseed.seconds.toFixed(2)} s (${reseed.reseeds.join(', ')})`,
  );

  // Push: PUSH changes in one sync, each form in turn per round; the device drains the feed after.
  const offline = new OfflineLearner(world, conversationId, replyIds, copy);
  const times: Record<'graphql' | 'ndjson' | 'mutations', number[]> = {
    graphql: [],
    ndjson: [],
    mutations: [],
  };
  const outcomes: Record<string, Record<string, number>> = { graphql: {}, ndjson: {}, mutations: {} };
  const count = (form: string, status: string) => {
    const tally = outcomes[form] as Record<string, number>;
    tally[status] = (tally[status] ?? 0) + 1;
  };
  for (let r = 0; r < PUSH_ROUNDS; r++) {
    for (const form of ['graphql', 'ndjson', 'mutations'] as const) {
      const changes = offline.batch(PUSH);
      started = performance.now();
      if (form === 'mutations') {
        for (const change of changes) {
          const { query, variables } = asMutation(change);
          const response = await fetch(`${baseUrl}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${learner.token}` },
            body: JSON.stringify({ query, variables }),
          });
          const body = graphqlErrors.parse(await response.json());
          count(form, body.errors ? `refused ${body.errors[0]?.extensions?.code ?? '?'}` : 'applied');
        }
      } else {
        const limit = form === 'graphql' ? SYNC_LIMITS.graphql.maxChanges : SYNC_LIMITS.ndjson.maxChanges;
        for (let offset = 0; offset < changes.length; offset += limit) {
          const reply = await syncVia(form)(baseUrl, learner.token, {
            deviceId,
            cursor: copy.cursor,
            deviceTime: new Date().toISOString(),
            changes: changes.slice(offset, offset + limit),
          });
          copy.apply(reply);
          copy.cursor = reply.cursor;
          const byId = new Map(changes.map((change) => [change.changeId, change]));
          for (const outcome of reply.outcomes) {
            const change = byId.get(outcome.changeId);
            if (change && typeof outcome.version === 'number') {
              copy.versions.set(
                `${SYNC_CHANGE_TYPES[change.type as SyncChangeType].entity}:${change.entityId}`,
                outcome.version,
              );
            }
            count(
              form,
              outcome.status === 'refused' ? `refused ${outcome.error?.code ?? '?'}` : outcome.status,
            );
            if (outcome.clientTimeClamped) count(form, 'clientTimeClamped');
          }
        }
      }
      times[form].push(performance.now() - started);
      // Untimed: the device takes in what is left of the feed (its own changes among it).
      await pullAll('graphql', baseUrl, learner.token, deviceId, copy);
    }
    console.log(
      `push round ${r + 1}/${PUSH_ROUNDS}: graphql ${times.graphql.at(-1)?.toFixed(0)} ms, ndjson ${times.ndjson.at(-1)?.toFixed(0)} ms, one mutation each ${times.mutations.at(-1)?.toFixed(0)} ms`,
    );
  }
  if (PUSH_ROUNDS > 0) {
    console.log(`\npush of ${PUSH} changes (${PUSH_ROUNDS} runs)       p50 ms    p99 ms   per change p50 ms`);
  }
  for (const [form, values] of Object.entries(times).filter(() => PUSH_ROUNDS > 0)) {
    const p50 = Math.round(percentile(values, 50));
    const p99 = Math.round(percentile(values, 99));
    figures[`push${PUSH}_${form}_p50_ms`] = p50;
    figures[`push${PUSH}_${form}_p99_ms`] = p99;
    console.log(
      `${form.padEnd(34)} ${String(p50).padStart(7)} ${String(p99).padStart(9)} ${(p50 / PUSH).toFixed(2).padStart(12)}`,
    );
  }
  for (const [form, tally] of Object.entries(outcomes)) {
    console.log(`outcomes ${form}: ${JSON.stringify(tally)}`);
    for (const [status, n] of Object.entries(tally)) {
      figures[`push_outcomes_${form}_${status.replace(/[^A-Za-z0-9]+/g, '_')}`] = n;
    }
  }
  figures.push_rounds = PUSH_ROUNDS;
  figures.push_changes = PUSH;

  await app.close();
  await projector.stop();
  await runtime.close();
  await db.stop();
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
