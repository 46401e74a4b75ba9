/**
 * The engagement part of `npm run bench:social` (issue 19), run by bench/social.bench.ts on its
 * app: 1,000 people liking one video at once (likes/s, and per like the time until the count
 * shows it: each `like` answers once the read model counts it), and a video's comment thread paged
 * through GraphQL (first and tenth page, top-level comments with two replies each) against the same
 * statement on the read model alone; then the "for you" feed's first and second page through
 * GraphQL for a newcomer and for someone following 50 people who liked and follow things.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { listVideoComments } from '../src/api/social/engagement-queries.ts';
import { commentEventCatalogue, commentStream } from '../src/domain/social/comment-events.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import type { SocialBenchContext } from './social.bench.ts';
import { graphqlClient } from './support/bench-graphql.ts';
import { round } from './support/machine.ts';
import { percentile, timeRounds } from './support/timing.ts';

const LIKERS = Number(process.env.BENCH_LIKERS ?? 1_000);
const THREAD = Number(process.env.BENCH_THREAD ?? 1_000);
const REPLIES = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PAGE = 20;

const THREAD_QUERY = `query ($videoId: ID!, $page: PageInput) {
  comments(videoId: $videoId, page: $page) {
    nodes { id body likeCount replyCount author { id username }
      replies(page: { first: 2 }) { nodes { id body } pageInfo { hasNextPage endCursor } } }
    pageInfo { hasNextPage endCursor } } }`;

const FOR_YOU_QUERY = `query ($page: PageInput) {
  forYouFeed(page: $page) {
    nodes { video { id title } score { total components { name weight value } } }
    pageInfo { hasNextPage endCursor } } }`;

export async function engagementBench(context: SocialBenchContext): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const gql = graphqlClient(context.baseUrl);

  // ---- 1,000 people like one video at once ----
  const creator = await context.createUser();
  const hot = await context.createVideo(creator.id);
  const likers: { id: string; accessToken: string }[] = [];
  while (likers.length < LIKERS) {
    likers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(16, LIKERS - likers.length) }, context.createUser),
      )),
    );
  }
  const LIKE = `mutation ($id: ID!) { like(targetKind: video, targetId: $id) { likeCount } }`;
  const started = performance.now();
  const latencies = await Promise.all(
    likers.map(async (liker) => {
      const sent = performance.now();
      await gql(LIKE, { id: hot }, liker.accessToken);
      return performance.now() - sent;
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const { rows } = await context.pool.query<{ likes: number }>(
    `select likes from social_counts where target_kind = 'video' and target_id = $1`,
    [hot],
  );
  figures.likes_counted = rows[0]?.likes ?? 0;
  figures.likes_per_s = round(LIKERS / wallSeconds);
  figures.like_visible_p50_ms = round(percentile(latencies, 50));
  figures.like_visible_p99_ms = round(percentile(latencies, 99));
  figures.likes_all_visible_ms = round(wallSeconds * 1000);
  console.log(
    `${LIKERS} people liking one video at once: ${figures.likes_per_s} likes/s, counted ${figures.likes_counted}; ` +
      `until each is counted p50 ${figures.like_visible_p50_ms} ms, p99 ${figures.like_visible_p99_ms} ms; ` +
      `all in ${figures.likes_all_visible_ms} ms`,
  );

  // ---- a comment thread, paged ----
  const video = await context.createVideo(creator.id);
  const { store, codec, pool, bus } = context.runtime;
  let head = 0n;
  const now = Date.now();
  for (let offset = 0; offset < THREAD; offset += 100) {
    const positions = await Promise.all(
      Array.from({ length: Math.min(100, THREAD - offset) }, async (_, i) => {
        const rootId = randomUUID();
        const at = new Date(now - (THREAD - offset - i) * 1_000);
        let position = await postComment(rootId, rootId, null, 0, at);
        for (let r = 0; r < REPLIES; r++) {
          const replyId = randomUUID();
          position = await postComment(replyId, rootId, rootId, 1, new Date(at.getTime() + r + 1));
        }
        return position;
      }),
    );
    for (const position of positions) if (position > head) head = position;
  }
  await waitForPosition(pool, bus, head, { timeoutMs: 10 * 60_000, projections: ['social_engagement'] });
  await pool.query('analyze');

  async function postComment(
    commentId: string,
    rootId: string,
    parentId: string | null,
    depth: number,
    at: Date,
  ) {
    const event = await codec.encode(
      commentEventCatalogue.CommentPosted,
      {
        type: 'CommentPosted',
        data: {
          commentId,
          videoId: video,
          authorId: likers[(depth + commentId.charCodeAt(0)) % likers.length]?.id ?? creator.id,
          parentId,
          rootId,
          depth,
          body: `Comment ${commentId.slice(0, 8)}: clean landing, what board is that?`,
          mentions: [],
        },
      },
      {
        commandId: commentId,
        correlationId: commentId,
        causationId: commentId,
        actor: 'system:bench',
        occurredAt: at.toISOString(),
      },
      randomUUID(),
    );
    return (await store.append(commentStream(commentId), [event])).position;
  }

  const reader = likers[0] ?? creator;
  const pageData = z.object({
    comments: z.object({ pageInfo: z.object({ endCursor: z.string().nullable() }) }),
  });
  let tenth: string | undefined;
  for (let i = 0; i < 9; i++) {
    const data = pageData.parse(
      await gql(
        THREAD_QUERY,
        { videoId: video, page: { first: PAGE, ...(tenth ? { after: tenth } : {}) } },
        reader.accessToken,
      ),
    );
    tenth = data.comments.pageInfo.endCursor ?? undefined;
  }
  const sqlReader = { userId: reader.id, moderator: false };
  for (const [name, after] of [
    ['first', undefined],
    ['tenth', tenth],
  ] as const) {
    const measured = {
      graphql: await timeRounds(ROUNDS, () =>
        gql(
          THREAD_QUERY,
          { videoId: video, page: { first: PAGE, ...(after ? { after } : {}) } },
          reader.accessToken,
        ),
      ),
      read_model: await timeRounds(ROUNDS, () =>
        listVideoComments(pool, sqlReader, video, 'newest', { first: PAGE, ...(after ? { after } : {}) }),
      ),
    };
    for (const [how, times] of Object.entries(measured)) {
      figures[`thread_${name}_${how}_p50_ms`] = round(percentile(times, 50) * 100) / 100;
      figures[`thread_${name}_${how}_p99_ms`] = round(percentile(times, 99) * 100) / 100;
      console.log(
        `thread ${name} page, ${how}`.padEnd(28) +
          ` ${figures[`thread_${name}_${how}_p50_ms`]?.toFixed(2).padStart(7)} ${figures[`thread_${name}_${how}_p99_ms`]?.toFixed(2).padStart(9)}`,
      );
    }
  }
  figures.thread_comments = THREAD * (1 + REPLIES);

  // ---- the "for you" feed: a newcomer, and someone whose follows liked and follow things ----
  const FOLLOW = `mutation ($id: ID!) { followUser(userId: $id) { id } }`;
  const networked = await context.createUser();
  const friends = likers.slice(1, 51);
  for (const friend of friends) {
    await gql(FOLLOW, { id: friend.id }, networked.accessToken);
    await gql(FOLLOW, { id: creator.id }, friend.accessToken);
  }
  const forYouPage = z.object({
    forYouFeed: z.object({ pageInfo: z.object({ endCursor: z.string().nullable() }) }),
  });
  for (const [who, viewer] of [
    ['newcomer', await context.createUser()],
    ['networked', networked],
  ] as const) {
    const first = forYouPage.parse(await gql(FOR_YOU_QUERY, { page: { first: PAGE } }, viewer.accessToken));
    const second = first.forYouFeed.pageInfo.endCursor;
    for (const [name, after] of [
      ['first', undefined],
      ['second', second],
    ] as const) {
      const times = await timeRounds(ROUNDS, () =>
        gql(FOR_YOU_QUERY, { page: { first: PAGE, ...(after ? { after } : {}) } }, viewer.accessToken),
      );
      const key = `for_you_${who}_${name}`;
      figures[`${key}_p50_ms`] = round(percentile(times, 50) * 100) / 100;
      figures[`${key}_p99_ms`] = round(percentile(times, 99) * 100) / 100;
      console.log(
        `for you, ${who}, ${name} page`.padEnd(28) +
          ` ${figures[`${key}_p50_ms`]?.toFixed(2).padStart(7)} ${figures[`${key}_p99_ms`]?.toFixed(2).padStart(9)}`,
      );
    }
  }
  return figures;
}
