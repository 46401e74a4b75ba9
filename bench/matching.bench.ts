/**
 * Matching benchmark: `rankCandidates` for one learner's request over 10,000 mentor profiles, all
 * of them candidates (they teach the subject, accept mentees and have room: the worst case for the
 * prefilter). Profiles are seeded through the write side (MentorProfileUpserted events, projected
 * by the real projector into `mentor_profiles`). Timed apart: the SQL prefilter, the scoring and
 * ranking in code, and the whole call; baselines in the same run: a plain `select` of the same
 * candidate rows (no subject-level lookup, no history join, no exclusions), once with the profile
 * columns as the API reads them (jsonb subjects and slots, text[] styles and languages) and once
 * with the compact columns the prefilter reads (`subject_levels`, `style_list`, `language_list`,
 * `week_minutes`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { mentorProfileEventCatalogue } from '../src/domain/mentorship/mentor-profile-events.ts';
import type { Level, TeachingStyle, WeeklySlot } from '../src/domain/mentorship/values.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import {
  prefilterCandidates,
  rankCandidates,
  scoreCandidates,
} from '../src/services/mentorship/rank-candidates.ts';
import { printMachine } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const MENTORS = Number(process.env.BENCH_MENTORS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const ZONES = [
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Africa/Lagos',
  'Pacific/Auckland',
];
const STYLES: TeachingStyle[] = ['structured', 'hands-on', 'socratic', 'conversational', 'project-based'];
const LEVELS: Level[] = ['beginner', 'intermediate', 'advanced', 'expert'];
const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt', 'ja', 'hi', 'yo'];

function seededRandom(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

const ms = (value: number) => Math.round(value * 100) / 100;

async function main() {
  const db = await benchDatabase('matching');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({ DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-matching-')) });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, codec } = runtime;
  const random = seededRandom(9);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const seedStarted = performance.now();
  const BATCH = 500;
  for (let offset = 0; offset < MENTORS; offset += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, MENTORS - offset) }, async () => {
        const mentorId = randomUUID();
        const slots: WeeklySlot[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
          const start = 6 + Math.floor(random() * 14);
          return {
            day: Math.floor(random() * 7),
            start: `${String(start).padStart(2, '0')}:00`,
            end: `${String(start + 1 + Math.floor(random() * 3)).padStart(2, '0')}:00`,
          };
        });
        const id = randomUUID();
        const event = await codec.encode(
          mentorProfileEventCatalogue.MentorProfileUpserted,
          {
            type: 'MentorProfileUpserted',
            data: {
              mentorId,
              subjects: [
                { subject: 'typescript', level: pick(LEVELS) },
                { subject: pick(['python', 'go', 'sql', 'design']), level: pick(LEVELS) },
              ],
              styles: [...new Set([pick(STYLES), pick(STYLES)])],
              languages: [...new Set(['en', pick(LANGUAGES)])],
              availability: slots,
              timeZone: pick(ZONES),
              capacity: 1 + Math.floor(random() * 10),
              accepting: true,
            },
          },
          {
            commandId: id,
            correlationId: id,
            causationId: id,
            actor: `user:${mentorId}`,
            occurredAt: new Date().toISOString(),
          },
          randomUUID(),
        );
        await store.append(`mentor-${mentorId}`, [event]);
      }),
    );
  }
  const appendSeconds = (performance.now() - seedStarted) / 1000;
  // Only the read models the ranking reads: profiles (mentor_profiles, learner_profiles), matching
  // (match_offers, for exclusions) and sessions (mentor_stats, for history).
  const projections = runtime.projections.filter((p) =>
    ['mentorship_profiles', 'mentorship_matching', 'mentorship_sessions'].includes(p.name),
  );
  const projector = new Projector({ store, pool, bus: runtime.bus, log }, projections, { batchSize: 1_000 });
  const projectStarted = performance.now();
  await projector.start();
  const head = (await store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position ?? 0n;
  await waitForPosition(pool, runtime.bus, head, {
    timeoutMs: 30 * 60_000,
    projections: projections.map((p) => p.name),
  });
  const projectSeconds = (performance.now() - projectStarted) / 1000;
  await projector.stop();
  await pool.query('analyze mentor_profiles');
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from mentor_profiles');
  console.log(
    `seeded ${rows[0]?.n} mentor profiles through the projector: append ${appendSeconds.toFixed(1)} s, projection ${projectSeconds.toFixed(1)} s`,
  );

  const learnerId = randomUUID();
  const learner = {
    preferredStyle: 'socratic' as const,
    languages: ['en', 'de'],
    availability: [
      { day: 0, start: '17:00', end: '19:00' },
      { day: 2, start: '18:00', end: '20:00' },
    ],
    timeZone: 'Europe/London',
  };
  const at = new Date('2025-01-15T12:00:00.000Z');
  const request = { learnerId, subject: 'typescript', learner, at, limit: 20 };

  // Warm-up: connections, plans, JIT of the scoring code.
  for (let i = 0; i < 5; i++) await rankCandidates(pool, request);

  const whole = await timeRounds(ROUNDS, () => rankCandidates(pool, request));
  let candidateRows = await prefilterCandidates(pool, 'typescript', learnerId, []);
  const prefilter = await timeRounds(ROUNDS, async () => {
    candidateRows = await prefilterCandidates(pool, 'typescript', learnerId, []);
  });
  const scoring = await timeRounds(ROUNDS, () =>
    scoreCandidates(candidateRows, learner, 'typescript', request),
  );
  const plain = await timeRounds(ROUNDS, () =>
    pool.query(
      `select user_id, subjects, styles, languages, availability, time_zone, last_offered_at
         from mentor_profiles where subject_keys @> array['typescript'] and accepting and active_mentees < capacity`,
    ),
  );
  const compact = await timeRounds(ROUNDS, () =>
    pool.query(
      `select user_id, subject_levels, style_list, language_list, week_minutes, time_zone, last_offered_at
         from mentor_profiles where subject_keys @> array['typescript'] and accepting and active_mentees < capacity`,
    ),
  );

  const line = (name: string, times: number[]) =>
    console.log(
      `${name.padEnd(44)} p50 ${percentile(times, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(times, 99).toFixed(2).padStart(7)} ms`,
    );
  console.log(`\none request, ${candidateRows.length} candidates, ${ROUNDS} runs each`);
  line('rankCandidates (prefilter + scoring + ranking)', whole);
  line('  SQL prefilter alone (rows into Node)', prefilter);
  line('  scoring + ranking alone (in code)', scoring);
  line('baseline: plain select of the candidate rows', plain);
  line('baseline: plain select, compact columns', compact);
  const p50 = percentile(whole, 50);
  console.log(
    `\ntarget < 50 ms for ${MENTORS} mentors: ${p50 < 50 ? 'met' : 'NOT met'} at p50 (${p50.toFixed(1)} ms), ${percentile(whole, 99) < 50 ? 'met' : 'NOT met'} at p99`,
  );
  console.log(
    JSON.stringify({
      mentors: rows[0]?.n ?? 0,
      candidates: candidateRows.length,
      runs: ROUNDS,
      rank_p50_ms: ms(percentile(whole, 50)),
      rank_p99_ms: ms(percentile(whole, 99)),
      prefilter_p50_ms: ms(percentile(prefilter, 50)),
      prefilter_p99_ms: ms(percentile(prefilter, 99)),
      scoring_p50_ms: ms(percentile(scoring, 50)),
      scoring_p99_ms: ms(percentile(scoring, 99)),
      plain_select_p50_ms: ms(percentile(plain, 50)),
      plain_select_p99_ms: ms(percentile(plain, 99)),
      compact_select_p50_ms: ms(percentile(compact, 50)),
      compact_select_p99_ms: ms(percentile(compact, 99)),
      seed_projection_profiles_per_s: Math.round((rows[0]?.n ?? 0) / projectSeconds),
    }),
  );
  await runtime.close();
  await db.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
