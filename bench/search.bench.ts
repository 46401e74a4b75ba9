/**
 * Content search benchmark: `searchContent` (ranked full-text search over title and fields, the
 * caller's brands only, plus trigram suggestions) on 100k contents built through the real write
 * side (ContentCreated events, projected by the real projector), against two baselines on the same
 * table in the same run: the bare indexed text-search match (no ranking, no visibility check, no
 * suggestions: the floor) and the naive ILIKE scan a search box often starts as.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brandViewerOf } from '../src/api/brands/read-model-queries.ts';
import { searchContents } from '../src/api/content/read-model-queries.ts';
import { loadConfig } from '../src/config.ts';
import { brandEventCatalogue } from '../src/domain/brands/brand-events.ts';
import { contentEventCatalogue } from '../src/domain/content/content-events.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { benchEventMetadata } from './support/bench-graphql.ts';
import { printMachine, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const CONTENTS = Number(process.env.BENCH_CONTENTS ?? 100_000);
const BRANDS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

/** A vocabulary with a Zipf-like spread, so some words are in many contents and some in few. */
const WORDS = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}n`);
const REAL_WORDS = [
  'oat',
  'coffee',
  'barista',
  'summer',
  'recipe',
  'foam',
  'sustainable',
  'harvest',
  'sweden',
];

function seededRandom(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

function phrase(random: () => number, words: number): string {
  return Array.from({ length: words }, () => {
    const r = random();
    if (r < 0.05) return REAL_WORDS[Math.floor(random() * REAL_WORDS.length)];
    return WORDS[Math.floor(WORDS.length * r ** 3)];
  }).join(' ');
}

/** Queries: a common real word, a rare one, a two-word phrase, a miss, and a misspelling. */
const QUERIES = {
  common: 'oat',
  rare: WORDS[2_900] ?? 'rare',
  phrase: '"barista coffee"',
  miss: 'zeppelin',
  misspelt: 'barrista cofee',
};

async function main() {
  const db = await benchDatabase('search');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({ DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-search-')) });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, codec } = runtime;

  // Seed through the write side's events: brands with one member, then the contents.
  const memberId = randomUUID();
  const brandIds = Array.from({ length: BRANDS }, () => randomUUID());
  for (const brandId of brandIds) {
    const events = [
      await codec.encode(
        brandEventCatalogue.BrandCreated,
        {
          type: 'BrandCreated',
          data: {
            brandId,
            name: `Brand ${brandId.slice(0, 6)}`,
            description: '',
            identity: { toneOfVoice: '', guardrails: [], colours: [], logoUrl: null },
            country: 'GB',
            language: 'en-GB',
            allowedContentTypes: ['article'],
            workflow: { steps: [] },
            channels: [],
            createdBy: memberId,
          },
        },
        benchEventMetadata(),
        randomUUID(),
      ),
      await codec.encode(
        brandEventCatalogue.BrandMemberAdded,
        { type: 'BrandMemberAdded', data: { brandId, userId: memberId, role: 'editor', addedBy: memberId } },
        benchEventMetadata(),
        randomUUID(),
      ),
    ];
    await store.append(`brand-${brandId}`, events);
  }
  const random = seededRandom(42);
  const seedStarted = performance.now();
  const BATCH = 500;
  for (let offset = 0; offset < CONTENTS; offset += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, CONTENTS - offset) }, async (_, i) => {
        const contentId = randomUUID();
        const event = await codec.encode(
          contentEventCatalogue.ContentCreated,
          {
            type: 'ContentCreated',
            data: {
              contentId,
              brandId: brandIds[(offset + i) % BRANDS] ?? '',
              type: 'article',
              templateId: null,
              title: phrase(random, 6),
              fields: [
                { key: 'body', value: phrase(random, 120) },
                { key: 'summary', value: phrase(random, 20) },
              ],
              metadata: { seoTitle: null, seoDescription: null, keywords: [] },
              authorId: memberId,
              version: 1,
            },
          },
          benchEventMetadata(),
          randomUUID(),
        );
        await store.append(`content-${contentId}`, [event]);
      }),
    );
  }
  const appendSeconds = (performance.now() - seedStarted) / 1000;
  const projector = new Projector({ store, pool, bus: runtime.bus, log }, runtime.projections, {
    batchSize: 1_000,
  });
  const projectStarted = performance.now();
  await projector.start();
  const head = (await store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position ?? 0n;
  await waitForPosition(pool, runtime.bus, head, { timeoutMs: 30 * 60_000, projections: ['contents'] });
  const projectSeconds = (performance.now() - projectStarted) / 1000;
  await projector.stop();
  await pool.query('analyze contents');
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from contents');
  console.log(
    `seeded ${rows[0]?.n} contents in ${BRANDS} brands: append ${appendSeconds.toFixed(1)} s, projection ${projectSeconds.toFixed(1)} s`,
  );

  const viewer = brandViewerOf({ kind: 'user', userId: memberId, role: 'user' });
  const figures: Record<string, number> = { contents: rows[0]?.n ?? 0 };
  console.log('\nquery          searchContent p50 / p99 (hits)   bare FTS p50    ILIKE scan p50');
  for (const [name, query] of Object.entries(QUERIES)) {
    let hits = 0;
    const search = await timeRounds(ROUNDS, async () => {
      hits = (await searchContents(pool, viewer, { query })).hits.length;
    });
    const bare = await timeRounds(ROUNDS, () =>
      pool.query(
        `select content_id from contents where search_document @@ websearch_to_tsquery('english', $1) limit 20`,
        [query],
      ),
    );
    const word = query.replace(/"/g, '').split(' ')[0] ?? query;
    const ilike = await timeRounds(Math.min(ROUNDS, 5), () =>
      pool.query(
        `select content_id from contents where title ilike $1 or fields_text ilike $1 order by updated_at desc limit 20`,
        [`%${word}%`],
      ),
    );
    figures[`search_${name}_p50_ms`] = round(percentile(search, 50) * 10) / 10;
    figures[`search_${name}_p99_ms`] = round(percentile(search, 99) * 10) / 10;
    figures[`bare_fts_${name}_p50_ms`] = round(percentile(bare, 50) * 10) / 10;
    figures[`ilike_${name}_p50_ms`] = round(percentile(ilike, 50) * 10) / 10;
    console.log(
      `${name.padEnd(14)} ${percentile(search, 50).toFixed(1).padStart(7)} / ${percentile(search, 99).toFixed(1).padStart(6)} ms (${hits})`.padEnd(
        48,
      ) +
        `${percentile(bare, 50).toFixed(1).padStart(7)} ms ${percentile(ilike, 50).toFixed(1).padStart(12)} ms`,
    );
  }
  const commonRatio =
    figures.search_common_p50_ms && figures.bare_fts_common_p50_ms
      ? Math.round((figures.search_common_p50_ms / figures.bare_fts_common_p50_ms) * 10) / 10
      : Number.NaN;
  figures.search_vs_bare_common_ratio = commonRatio;
  figures.seed_projection_contents_per_s = round((rows[0]?.n ?? 0) / projectSeconds);
  console.log(`\n${JSON.stringify(figures)}`);
  await runtime.close();
  await db.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
