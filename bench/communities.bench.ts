/**
 * Communities benchmark (issue 21). Two communities seeded as the events the write side stores
 * (the community, every membership, a published path of published modules with approved
 * checkpoints, members' attempts and module completions, replies marked helpful, posts removed by
 * a moderator), appended to the store and applied by the real projector: how many events/s the
 * seeding appends and the community read models absorb. Then, as the owner over HTTP GraphQL
 * and through the API's own query function, and as the same statement on plain tables holding
 * the same rows with the same indexes (the baseline, in the same run):
 * - the PROGRESS community (10,000 members at full size): the progress aggregates of every path
 *   (the owner), a learner's progress through a path (the learner's own), a random member's trust
 *   (the owner), and leaderboard pages after random cursors;
 * - the LEADERBOARD community (50,000 members at full size): leaderboard pages after random cursors.
 * Each leaderboard is walked in full first (its cursors are the random ones), counting members
 * missing or repeated.
 * Prints the machine and ends with one JSON line of every figure.
 * Full size: BENCH_PROGRESS_MEMBERS=10000 BENCH_LEADERBOARD_MEMBERS=50000 (small by default).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { learnerPathProgress, pathAggregates } from '../src/api/communities/progress-queries.ts';
import { communityTrustOf, leaderboard, leaderboardSql } from '../src/api/communities/trust-queries.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { COMMUNITY_READ_MODELS } from '../src/services/communities/deps.ts';
import { benchApp } from './support/bench-app.ts';
import { graphqlClient } from './support/bench-graphql.ts';
import { appendHistory, communityHistory } from './support/communities-seed.ts';
import { printMachine, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const PROGRESS_MEMBERS = Number(process.env.BENCH_PROGRESS_MEMBERS ?? 1_000);
const LEADERBOARD_MEMBERS = Number(process.env.BENCH_LEADERBOARD_MEMBERS ?? 2_000);
const PATHS = Number(process.env.BENCH_PATHS ?? 2);
const MODULES = Number(process.env.BENCH_MODULES ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PAGE = Number(process.env.BENCH_PAGE ?? 50);
const CONCURRENCY = Number(process.env.BENCH_APPEND_CONCURRENCY ?? 16);
const AUTH_SECRET = 'bench-secret-that-is-at-least-32-characters-long';

const stats = (values: number[]) => ({
  p50: Math.round(percentile(values, 50) * 10) / 10,
  p99: Math.round(percentile(values, 99) * 10) / 10,
});

async function run(db: { url: string; version: string }) {
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({
    AUTH_SECRET,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-communities-')),
  });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, bus, codec, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 1_000 });
  await projector.start();
  const app = await benchApp(runtime, log, { authSecret: AUTH_SECRET, readYourWritesTimeoutMs: 10_000 });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const gql = graphqlClient(baseUrl);

  // The owner of both communities: a real account, so the reads below go through sign-in and access.
  const email = `bench-owner-${randomUUID()}@example.org`;
  const password = 'benchmark password';
  const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
    input: { email, password, displayName: 'Bench owner' },
  });
  const ownerId = z.object({ id: z.string() }).parse(registered.register).id;
  // A learner of the progress community: progress is the learner's own (and their mentor's) to read.
  const learnerEmail = `bench-learner-${randomUUID()}@example.org`;
  const learnerRegistered = await gql(
    'mutation ($input: RegisterInput!) { register(input: $input) { id } }',
    {
      input: { email: learnerEmail, password, displayName: 'Bench learner' },
    },
  );
  const learnerId = z.object({ id: z.string() }).parse(learnerRegistered.register).id;

  const progressCommunity = communityHistory(
    ownerId,
    {
      name: 'Progress',
      members: PROGRESS_MEMBERS,
      knownMembers: [learnerId],
      paths: PATHS,
      modulesPerPath: MODULES,
      helpfulShare: 0.2,
      removedShare: 0.02,
    },
    21,
  );
  const leaderboardCommunity = communityHistory(
    ownerId,
    {
      name: 'Leaderboard',
      members: LEADERBOARD_MEMBERS,
      paths: 1,
      modulesPerPath: 2,
      helpfulShare: 0.1,
      removedShare: 0.01,
    },
    2_100,
  );
  const readModels = COMMUNITY_READ_MODELS.filter((name) => projections.some((p) => p.name === name));
  const events = progressCommunity.events + leaderboardCommunity.events;
  console.log(
    `seeding ${events} events (${progressCommunity.memberIds.length} + ${leaderboardCommunity.memberIds.length} members) into ${readModels.join(', ')}`,
  );
  const started = performance.now();
  await appendHistory(store, codec, progressCommunity.phases, CONCURRENCY);
  const head = await appendHistory(store, codec, leaderboardCommunity.phases, CONCURRENCY);
  const appended = (performance.now() - started) / 1000;
  // Each read model's own catch-up time: the slowest sets the pace.
  const caughtUp = await Promise.all(
    readModels.map(async (name) => {
      const done = await waitForPosition(pool, bus, head, { timeoutMs: 60 * 60_000, projections: [name] });
      if (!done) throw new Error(`read model ${name} did not catch up within an hour`);
      return [name, (performance.now() - started) / 1000] as const;
    }),
  );
  const projected = Math.max(...caughtUp.map(([, seconds]) => seconds));
  await pool.query('analyze');
  console.log(
    `appended in ${appended.toFixed(1)} s (${round(events / appended)} events/s), projected after ${projected.toFixed(1)} s (${round(events / projected)} events/s)`,
  );
  const figures: Record<string, number> = {
    progress_members: progressCommunity.memberIds.length,
    leaderboard_members: leaderboardCommunity.memberIds.length,
    seed_events: events,
    seed_append_s: Math.round(appended * 10) / 10,
    seed_append_events_per_s: round(events / appended),
    seed_projected_s: Math.round(projected * 10) / 10,
    seed_projected_events_per_s: round(events / projected),
  };
  for (const [name, seconds] of caughtUp) {
    console.log(`  ${name.padEnd(24)} caught up after ${seconds.toFixed(1)} s`);
    figures[`seed_projected_${name}_s`] = Math.round(seconds * 10) / 10;
  }

  // Signed in only now, and again before each measurement: an access token lives minutes, and a
  // full-size seeding (or a slow walk) takes longer.
  const signInAs = async (address: string) => {
    const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email: address, password },
    });
    return z.object({ accessToken: z.string() }).parse(login.login).accessToken;
  };
  const signIn = () => signInAs(email);
  let token = await signIn();
  let learnerToken = await signInAs(learnerEmail);
  const rows = await pool.query<{ table: string; rows: string }>(
    `select 'community_trust_scores' as table, count(*)::text as rows from community_trust_scores
     union all select 'community_path_progress', count(*)::text from community_path_progress
     union all select 'community_checkpoint_results', count(*)::text from community_checkpoint_results
     union all select 'community_module_completions', count(*)::text from community_module_completions`,
  );
  console.log(`read model rows: ${rows.rows.map((r) => `${r.table} ${r.rows}`).join(', ')}`);

  // The plain tables: the same rows, and the primary keys and indexes the read models declare.
  const copies: [projection: string, table: string, copy: string][] = [
    ['community_trust', 'community_trust_scores', 'bench_trust_scores'],
    ['community_progress', 'community_path_progress', 'bench_path_progress'],
    ['community_progress', 'community_checkpoint_results', 'bench_checkpoint_results'],
    ['community_progress', 'community_module_completions', 'bench_module_completions'],
  ];
  for (const [projection, table, copy] of copies) {
    const declared = projections.find((p) => p.name === projection)?.tables[table];
    if (!declared) throw new Error(`${projection} declares no table ${table}`);
    await pool.query(`create table ${copy} as select * from ${table}`);
    await pool.query(`alter table ${copy} add primary key (${declared.primaryKey.join(', ')})`);
    for (const index of declared.indexes ?? []) await pool.query(`create index on ${copy} ${index}`);
    await pool.query(`analyze ${copy}`);
  }

  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(Math.random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  /** Times each way of fetching the same thing (20 warm-up rounds each first), one after the other. */
  const measure = async (name: string, ways: Record<string, () => Promise<unknown>>) => {
    token = await signIn();
    learnerToken = await signInAs(learnerEmail);
    for (let i = 0; i < 20; i++) for (const run of Object.values(ways)) await run();
    console.log(`\n${name.padEnd(38)}  p50 ms    p99 ms`);
    for (const [way, run] of Object.entries(ways)) {
      const { p50, p99 } = stats(await timeRounds(ROUNDS, run));
      console.log(`${way.padEnd(38)} ${String(p50).padStart(7)} ${String(p99).padStart(9)}`);
      figures[`${name}_${way}_p50_ms`] = p50;
      figures[`${name}_${way}_p99_ms`] = p99;
    }
  };

  // The progress community: the moderators' aggregates (every path over every learner) ...
  const progressId = progressCommunity.communityId;
  const AGGREGATES = `query ($c: ID!) { community(id: $c) { progressAggregates(first: 100) { nodes {
    pathId learners averageModulesDone learnersWithACheckpointPassed checkpointsPassed activeLastSevenDays
    longestStreakDays } pageInfo { hasNextPage endCursor } } } }`;
  const aggregatesSql = `select path_id, count(*)::int as learners,
      round(avg(modules_done), 2)::float8 as average_modules_done,
      (count(*) filter (where checkpoints_passed > 0))::int as learners_with_a_checkpoint_passed,
      sum(checkpoints_passed)::int as checkpoints_passed,
      (count(*) filter (where last_active_day >= current_date - 7))::int as active_last_seven_days,
      max(longest_streak_days)::int as longest_streak_days
    from bench_path_progress
    where community_id = $1 and ($2::uuid is null or path_id > $2::uuid)
    group by path_id order by path_id limit $3`;
  await measure('progress_aggregates', {
    graphql: () => gql(AGGREGATES, { c: progressId }, token),
    read_model: () => pathAggregates(pool, progressId, { first: 100, after: undefined }),
    plain_sql: () => pool.query(aggregatesSql, [progressId, null, 101]),
  });

  // ... one learner's progress through a path (read by the learner: it is theirs, and their
  // mentor's) and a random member's trust (read by the owner) ...
  const learner = () => ({ u: learnerId, p: pick(progressCommunity.paths).pathId });
  const LEARNER = `query ($c: ID!, $u: ID!, $p: ID!) { learnerProgress(communityId: $c, userId: $u, pathId: $p) {
    modulesDone completedModuleIds checkpointsPassed attempts currentStreakDays longestStreakDays lastActiveDay
    checkpoints { checkpointId attempts bestScore maxScore passed passedAt } } }`;
  const learnerSql = (u: string, p: string) =>
    Promise.all([
      pool.query(
        `select modules_done, checkpoints_passed, attempts, current_streak_days, longest_streak_days,
           to_char(last_active_day, 'YYYY-MM-DD') as last_active_day
         from bench_path_progress where community_id = $1 and path_id = $2 and user_id = $3`,
        [progressId, p, u],
      ),
      pool.query(
        `select module_id from bench_module_completions
          where community_id = $1 and path_id = $2 and user_id = $3 order by completed_at, module_id`,
        [progressId, p, u],
      ),
      pool.query(
        `select checkpoint_id, attempts, best_score, max_score, passed, passed_at from bench_checkpoint_results
          where community_id = $1 and user_id = $3 and path_id = $2 order by checkpoint_id`,
        [progressId, p, u],
      ),
    ]);
  await measure('progress_learner', {
    graphql: () => gql(LEARNER, { c: progressId, ...learner() }, learnerToken),
    read_model: () => {
      const { u, p } = learner();
      return learnerPathProgress(pool, progressId, p, u, new Date());
    },
    plain_sql: () => {
      const { u, p } = learner();
      return learnerSql(u, p);
    },
  });
  const TRUST = `query ($c: ID!, $u: ID!) { memberTrust(communityId: $c, userId: $u) {
    score at components { name weight value count points } } }`;
  await measure('progress_member_trust', {
    graphql: () => gql(TRUST, { c: progressId, u: pick(progressCommunity.memberIds) }, token),
    read_model: () => communityTrustOf(pool, progressId, pick(progressCommunity.memberIds), new Date()),
    plain_sql: () =>
      pool.query('select components from bench_trust_scores where community_id = $1 and user_id = $2', [
        progressId,
        pick(progressCommunity.memberIds),
      ]),
  });

  // ... and pages of both communities' members by trust, after random cursors: every cursor of a
  // full walk (which is timed too), the first page included.
  const leaderboardQuery = (first: number) => `query ($c: ID!, $after: String) { community(id: $c) {
    leaderboard(first: ${first}, after: $after) { nodes { userId score } pageInfo { hasNextPage endCursor } } } }`;
  const LEADERBOARD = leaderboardQuery(PAGE);
  // The walk that collects cursors reads the largest pages (a cursor does not depend on page size).
  const WALK = leaderboardQuery(100);
  const board = z.object({
    community: z.object({
      leaderboard: z.object({
        nodes: z.array(z.object({ userId: z.string(), score: z.number().nullable() })),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      }),
    }),
  });
  const cursorValues = (cursor: string | null) =>
    cursor === null ? [] : z.array(z.string()).parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  // The API's own statement, on the plain table.
  const plainLeaderboardSql = (after: boolean) =>
    leaderboardSql(after).replaceAll('community_trust_scores', 'bench_trust_scores');
  for (const [name, community] of [
    ['progress_leaderboard', progressCommunity],
    ['leaderboard_page', leaderboardCommunity],
  ] as const) {
    const communityId = community.communityId;
    const cursors: (string | null)[] = [null];
    const seen = new Set<string>();
    let walked = 0;
    token = await signIn();
    const walkStarted = performance.now();
    for (let after: string | null = null; ; ) {
      const page: z.infer<typeof board>['community']['leaderboard'] = board.parse(
        await gql(WALK, { c: communityId, after }, token),
      ).community.leaderboard;
      walked += page.nodes.length;
      for (const node of page.nodes) seen.add(node.userId);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
      cursors.push(after);
    }
    const walkSeconds = (performance.now() - walkStarted) / 1000;
    // Every member (the owner too) exactly once, or the cursors skip or repeat someone.
    const expected = community.memberIds.length + 1;
    console.log(
      `\n${name}: walked ${walked} entries (${seen.size} members of ${expected}) in ${cursors.length} pages, ${walkSeconds.toFixed(1)} s`,
    );
    figures[`${name}_walk_entries`] = walked;
    figures[`${name}_walk_members_missing`] = expected - seen.size;
    figures[`${name}_walk_s`] = Math.round(walkSeconds * 10) / 10;
    const afterUser = (cursor: string | null) => cursorValues(cursor)[0] ?? null;
    await measure(name, {
      graphql: () => gql(LEADERBOARD, { c: communityId, after: pick(cursors) }, token),
      read_model: () => {
        const cursor = pick(cursors);
        return leaderboard(
          pool,
          communityId,
          { first: PAGE, after: cursor ? cursorValues(cursor) : undefined },
          new Date(),
        );
      },
      plain_sql: () => {
        const user = afterUser(pick(cursors));
        const at = new Date().toISOString();
        return user === null
          ? pool.query(plainLeaderboardSql(false), [communityId, at, PAGE + 1])
          : pool.query(plainLeaderboardSql(true), [communityId, at, user, PAGE + 1]);
      },
    });
  }

  await app.close();
  await projector.stop();
  await runtime.close();
  console.log(JSON.stringify(figures));
}

/** The database goes with the run, failed or not: an embedded PostgreSQL would outlive the process. */
async function main() {
  const db = await benchDatabase('communities');
  try {
    await run(db);
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
