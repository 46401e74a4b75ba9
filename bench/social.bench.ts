/**
 * Social benchmark (issue 19). The home feed: 100,000 public videos from 2,000 creators and a
 * reader following 500 of them, seeded as events and projected by the real projector; a feed page
 * (first and tenth) through `homeFeed` and through GraphQL over HTTP, p50/p99, against the same
 * SQL on plain tables holding the same rows in the same run (what the read models' views and
 * the API add). Then, when present, the engagement part (bench/social-engagement.ts): likes on a
 * hot video and comment-thread pages. Prints the machine and ends with one JSON line of every figure.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import { feedSql, homeFeed } from '../src/api/social/graph-queries.ts';
import { loadConfig } from '../src/config.ts';
import { followEventCatalogue } from '../src/domain/social/follow-events.ts';
import { videoPostStream } from '../src/domain/videos/streams.ts';
import { videoPostEventCatalogue } from '../src/domain/videos/video-events.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime, type Runtime } from '../src/roles/runtime.ts';
import { followTieStream } from '../src/services/social/follows-streams.ts';
import { benchApp } from './support/bench-app.ts';
import { benchEventMetadata, graphqlClient } from './support/bench-graphql.ts';
import { printMachine, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const VIDEOS = Number(process.env.BENCH_VIDEOS ?? 100_000);
const CREATORS = Number(process.env.BENCH_CREATORS ?? 2_000);
const FOLLOWED = Number(process.env.BENCH_FOLLOWED ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PAGE = 20;
const AUTH_SECRET = 'bench-secret-that-is-at-least-32-characters-long';

/** What the engagement part gets: a running app, its database, and ways to make people and videos. */
export interface SocialBenchContext {
  /** e.g. http://127.0.0.1:41234 (GraphQL at /graphql). */
  baseUrl: string;
  pool: pg.Pool;
  runtime: Runtime;
  /** A registered, signed-in user. */
  createUser(): Promise<{ id: string; accessToken: string }>;
  /** A public video post of `ownerId`, projected (visible in video_posts) before it resolves. */
  createVideo(ownerId: string): Promise<string>;
}

async function main() {
  const db = await benchDatabase('social');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({
    AUTH_SECRET,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-social-')),
  });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, bus, codec, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 1_000 });
  await projector.start();
  const app = await benchApp(runtime, log, { authSecret: AUTH_SECRET, readYourWritesTimeoutMs: 10_000 });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const gql = graphqlClient(baseUrl);
  const createUser = async () => {
    const email = `bench-${randomUUID()}@example.org`;
    const password = 'benchmark password';
    const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
      input: { email, password, displayName: 'Bench User' },
    });
    const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
      input: { email, password },
    });
    return {
      id: z.object({ id: z.string() }).parse(registered.register).id,
      accessToken: z.object({ accessToken: z.string() }).parse(login.login).accessToken,
    };
  };
  const appendVideo = async (ownerId: string, at: Date) => {
    const postId = randomUUID();
    const event = await codec.encode(
      videoPostEventCatalogue.VideoPostCreated,
      {
        type: 'VideoPostCreated',
        data: {
          postId,
          ownerId,
          assetId: randomUUID(),
          title: `Video ${postId.slice(0, 8)}`,
          description: '',
          tags: [],
          visibility: 'public',
        },
      },
      benchEventMetadata(at),
      randomUUID(),
    );
    const { position } = await store.append(videoPostStream(postId), [event]);
    return { postId, position };
  };
  const createVideo = async (ownerId: string) => {
    const { postId, position } = await appendVideo(ownerId, new Date());
    await waitForPosition(pool, bus, position, { timeoutMs: 60_000, projections: ['video_posts'] });
    return postId;
  };

  // Seed: videos spread over the last 100 days, creators in turn; the reader follows every fourth.
  const reader = await createUser();
  const creators = Array.from({ length: CREATORS }, () => randomUUID());
  const seedStarted = performance.now();
  const BATCH = 500;
  const now = Date.now();
  for (let offset = 0; offset < VIDEOS; offset += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, VIDEOS - offset) }, (_, i) => {
        const n = offset + i;
        return appendVideo(
          creators[n % CREATORS] ?? '',
          new Date(now - (VIDEOS - n) * 86_400_000 * (100 / VIDEOS)),
        );
      }),
    );
  }
  const followed = creators
    .filter((_, i) => i % Math.max(1, Math.floor(CREATORS / FOLLOWED)) === 0)
    .slice(0, FOLLOWED);
  let head = 0n;
  for (const creatorId of followed) {
    const event = await codec.encode(
      followEventCatalogue.UserFollowed,
      { type: 'UserFollowed', data: { followerId: reader.id, followeeId: creatorId } },
      benchEventMetadata(),
      randomUUID(),
    );
    head = (await store.append(followTieStream(reader.id, creatorId), [event])).position;
  }
  const appendSeconds = (performance.now() - seedStarted) / 1000;
  await waitForPosition(pool, bus, head, {
    timeoutMs: 30 * 60_000,
    projections: ['video_posts', 'social_graph'],
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await pool.query('analyze');
  const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const figures: Record<string, number> = {
    videos: await count('select count(*) as n from video_posts'),
    creators: CREATORS,
    followed: await count(`select count(*) as n from social_follows where follower_id = '${reader.id}'`),
  };
  console.log(
    `seeded ${figures.videos} videos from ${CREATORS} creators, a reader following ${figures.followed}: ` +
      `append ${appendSeconds.toFixed(1)} s, visible after ${seedSeconds.toFixed(1)} s`,
  );

  // The same rows in plain tables with the same indexes: the baseline runs the same statement.
  await pool.query(`create table bench_follows as select * from social_follows;
    alter table bench_follows add primary key (follower_id, followee_id);
    create table bench_videos as select * from video_posts;
    alter table bench_videos add primary key (post_id);
    create index on bench_videos (owner_id, created_at desc, post_id desc) where visibility = 'public';
    create table bench_hidden as select * from social_hidden;
    alter table bench_hidden add primary key (target_kind, target_id);
    analyze bench_follows; analyze bench_videos; analyze bench_hidden;`);
  const plain = { follows: 'bench_follows', videos: 'bench_videos', hidden: 'bench_hidden' };

  // The tenth page's cursor, found once by walking the feed.
  let tenth: string | undefined;
  for (let page = 0, after: string | undefined; page < 9; page += 1) {
    const { rows } = await homeFeed(pool, reader.id, { first: PAGE, after });
    const last = rows[PAGE - 1];
    if (!last) break;
    after = Buffer.from(JSON.stringify([last.sort_key, last.post_id])).toString('base64url');
    tenth = after;
  }
  const cursorValues = (cursor: string | undefined) =>
    cursor
      ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string])
      : [null, null];

  const FEED_QUERY = `query ($page: PageInput) { homeFeed(page: $page) { nodes { id ownerId title createdAt } pageInfo { hasNextPage endCursor } } }`;
  console.log('\nhome feed page of 20          p50 ms    p99 ms');
  for (const [name, after] of [
    ['first', undefined],
    ['tenth', tenth],
  ] as const) {
    const [afterAt, afterId] = cursorValues(after);
    // Warm-up: plans cached, pages in shared buffers, the JIT'd GraphQL query compiled.
    for (let i = 0; i < 10; i += 1) {
      await homeFeed(pool, reader.id, { first: PAGE, after });
      await pool.query(feedSql(plain), [reader.id, afterAt, afterId, PAGE + 1]);
      await gql(FEED_QUERY, { page: { first: PAGE, ...(after ? { after } : {}) } }, reader.accessToken);
    }
    const measured = {
      read_model: await timeRounds(ROUNDS, () => homeFeed(pool, reader.id, { first: PAGE, after })),
      plain_sql: await timeRounds(ROUNDS, () =>
        pool.query(feedSql(plain), [reader.id, afterAt, afterId, PAGE + 1]),
      ),
      graphql: await timeRounds(ROUNDS, () =>
        gql(FEED_QUERY, { page: { first: PAGE, ...(after ? { after } : {}) } }, reader.accessToken),
      ),
    };
    for (const [how, times] of Object.entries(measured)) {
      const p50 = round(percentile(times, 50) * 100) / 100;
      const p99 = round(percentile(times, 99) * 100) / 100;
      figures[`feed_${name}_${how}_p50_ms`] = p50;
      figures[`feed_${name}_${how}_p99_ms`] = p99;
      console.log(
        `${`${name} page, ${how}`.padEnd(28)} ${p50.toFixed(2).padStart(7)} ${p99.toFixed(2).padStart(9)}`,
      );
    }
  }
  figures.feed_first_read_model_vs_plain_p50_ratio =
    round(((figures.feed_first_read_model_p50_ms ?? 0) / (figures.feed_first_plain_sql_p50_ms || 1)) * 100) /
    100;

  const engagement = path.join(import.meta.dirname, 'social-engagement.ts');
  if (existsSync(engagement)) {
    const module: { engagementBench?: (context: SocialBenchContext) => Promise<Record<string, number>> } =
      await import(engagement);
    if (module.engagementBench) {
      console.log('\nengagement');
      Object.assign(
        figures,
        await module.engagementBench({ baseUrl, pool, runtime, createUser, createVideo }),
      );
    }
  }

  console.log(`\n${JSON.stringify(figures)}`);
  await app.close();
  await projector.stop();
  await runtime.close();
  await db.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
