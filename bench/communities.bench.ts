/**
 * Communities benchmark (issue 21). Two communities seeded as the events the write side stores
 * (the community, every membership, a published path of published modules with approved
 * checkpoints, members' attempts and module completions, replies marked helpful, posts removed by
 * a moderator), appended to the store and applied by the real projector: how many events/s the
 * seeding appends and the community read models absorb. Then, as the owner over HTTP GraphQL
 * and through the API's own query function, and as the same statement on plain tables holding
 * the same rows with the same indexes (the baseline, in the same run):
 * - the PROGRESS community (10,000 members at full size): the moderators' progress aggregates of a
 *   path, one member's progress and trust, and pages of members' trust at random cursors;
 * - the LEADERBOARD community (50,000 members at full size): leaderboard pages at random cursors.
 * Prints the machine and ends with one JSON line of every figure.
 * Full size: BENCH_PROGRESS_MEMBERS=10000 BENCH_LEADERBOARD_MEMBERS=50000 (small by default).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { learnerPathProgress, pathAggregates } from '../src/api/communities/progress-queries.ts';
import { communityTrustOf, leaderboard } from '../src/api/communities/trust-queries.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { COMMUNITY_READ_MODELS } from '../src/services/communities/deps.ts';
import { communityTrustScoreSql } from '../src/services/communities/trust-sql.ts';
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

  const progressCommunity = communityHistory(
    ownerId,
    {
      name: 'Progress',
      members: PROGRESS_MEMBERS,
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
  const signIn = async () => {
    const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password },
    });
    return z.object({ accessToken: z.string() }).parse(login.login).accessToken;
  };
  let token = await signIn();
  const rows = await pool.query<{ table: string; rows: string }>(
    `select 'community_trust_scores' as table, count(*)::text as rows from community_trust_scores
     union all select 'community_path_progress', count(*)::text from community_path_progress
     union all select 'community_checkpoint_results', count(*)::text from community_checkpoint_results
     union all select 'community_module_completions', count(*)::text from community_module_completions`,
  );
  console.log(`read model rows: ${rows.rows.map((r) => `${r.table} ${r.rows}`).join(', ')}`);

  // The plain tables: the same rows, the same primary keys and indexes as the read models'.
  await pool.query(`
    create table bench_trust_scores as select * from community_trust_scores;
    alter table bench_trust_scores add primary key (community_id, user_id);
    create index on bench_trust_scores (community_id, score desc, user_id);
    create table bench_path_progress as select * from community_path_progress;
    alter table bench_path_progress add primary key (community_id, path_id, user_id);
    create index on bench_path_progress (community_id, user_id);
    create table bench_checkpoint_results as select * from community_checkpoint_results;
    alter table bench_checkpoint_results add primary key (community_id, checkpoint_id, user_id);
    create table bench_module_completions as select * from community_module_completions;
    alter table bench_module_completions add primary key (community_id, path_id, user_id, module_id);
    analyze bench_trust_scores; analyze bench_path_progress; analyze bench_checkpoint_results;
    analyze bench_module_completions;`);

  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(Math.random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  /** Times each way of fetching the same thing (20 warm-up rounds each first), one after the other. */
  const measure = async (name: string, ways: Record<string, () => Promise<unknown>>) => {
    token = await signIn();
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

  // ... one learner's progress through a path, and one member's trust, for random members ...
  const learner = () => ({ u: pick(progressCommunity.memberIds), p: pick(progressCommunity.paths).pathId });
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
    graphql: () => gql(LEARNER, { c: progressId, ...learner() }, token),
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
        nodes: z.array(z.object({ userId: z.string(), score: z.number() })),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      }),
    }),
  });
  const cursorValues = (cursor: string | null) =>
    cursor === null ? [] : z.array(z.string()).parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  const leaderboardSql = `select user_id, score::text as score from (
      select t.user_id, ${communityTrustScoreSql('t', '$2::timestamptz')} as score
        from bench_trust_scores t
       where t.community_id = $1 and t.member_since is not null) ranked
     where $3::numeric is null or score < $3::numeric or (score = $3::numeric and user_id > $4::uuid)
     order by score desc, user_id
     limit $5`;
  // Keyset on (score desc, user_id): the first condition is the index's seek, the second its filter.
  const storedScoreSql = `select user_id, score from bench_trust_scores
     where community_id = $1 and ($2::real is null or score <= $2::real)
       and ($2::real is null or score < $2::real or user_id > $3::uuid)
     order by score desc, user_id limit $4`;
  for (const [name, community] of [
    ['progress_leaderboard', progressCommunity],
    ['leaderboard_page', leaderboardCommunity],
  ] as const) {
    const communityId = community.communityId;
    const cursors: (string | null)[] = [null];
    let walked = 0;
    token = await signIn();
    const walkStarted = performance.now();
    for (let after: string | null = null; ; ) {
      const page: z.infer<typeof board>['community']['leaderboard'] = board.parse(
        await gql(WALK, { c: communityId, after }, token),
      ).community.leaderboard;
      walked += page.nodes.length;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
      cursors.push(after);
    }
    const walkSeconds = (performance.now() - walkStarted) / 1000;
    console.log(
      `\n${name}: walked ${walked} members in ${cursors.length} pages, ${walkSeconds.toFixed(1)} s`,
    );
    // Every member (and the owner) exactly once, or the cursors skip or repeat someone.
    if (walked !== community.memberIds.length + 1)
      console.log(`  expected ${community.memberIds.length + 1}`);
    figures[`${name}_walk_members`] = walked;
    figures[`${name}_walk_s`] = Math.round(walkSeconds * 10) / 10;
    // The instant every page ranks at: the walk's (the cursor carries it), for every way alike.
    const at = cursorValues(cursors[1] ?? null)[0] ?? new Date().toISOString();
    const randomPage = () => {
      const [, score, userId] = cursorValues(pick(cursors));
      return { score: score ?? null, userId: userId ?? null };
    };
    await measure(name, {
      graphql: () => gql(LEADERBOARD, { c: communityId, after: pick(cursors) }, token),
      read_model: () => {
        const cursor = pick(cursors);
        return leaderboard(
          pool,
          communityId,
          { first: PAGE, after: cursor ? cursorValues(cursor) : undefined },
          new Date(at),
        );
      },
      plain_sql: () => {
        const { score, userId } = randomPage();
        return pool.query(leaderboardSql, [communityId, at, score, userId, PAGE + 1]);
      },
      // What a page costs when the order is the stored score's index (no score computed at reading).
      stored_score_index: () => {
        const { score, userId } = randomPage();
        return pool.query(storedScoreSql, [communityId, score, userId, PAGE + 1]);
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
