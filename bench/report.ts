/**
 * `npm run bench`: runs every `bench:*` script of package.json one after the other (never two at
 * once: they would measure each other) and writes bench/REPORT.md — the machine, the date, and per
 * benchmark each figure beside its same-run baseline and their ratio, then every other figure.
 * `BENCH_ONLY=matching,audit` runs a subset (the report then says so). A benchmark that fails is
 * reported as failed, the others still run, and the exit code is 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describeMachine } from './support/machine.ts';

type Figures = Record<string, unknown>;

interface BenchRun {
  name: string;
  seconds: number;
  exitCode: number;
  figures: Figures | null;
  postgres: string | null;
  tail: string;
}

/**
 * How a figure's baseline is named, benchmark by benchmark: the first rewrite of a figure's key
 * that names another key of the same output is its baseline. Keys that are someone's baseline
 * are not listed as figures themselves.
 */
const BASELINE_NAMES: readonly [RegExp, string][] = [
  [/$/, '_ceiling'], // eventstore, projections: the plain-SQL ceiling
  [/$/, '_baseline'], // projections, api: lag / delivery baselines
  [/$/, '_apollo'], // api: Apollo Server with the same SDL
  [/_snapshot_/, '_baseline_'], // audit: the fold without snapshots
  [/^search_/, 'bare_fts_'], // search: the bare indexed match
  [/^feed_(\w+?)_(read_model|graphql)_/, 'feed_$1_plain_sql_'], // social: the same feed SQL on plain tables
  [/_saga_s$/, '_plain_ffmpeg_s'], // media: the whole ladder as plain ffmpeg
  [/_saga_/, '_plain_'], // media: each step as plain ffmpeg
  [/_(storage_put|http)_/, '_copyfile_'], // media: fs.copyFile of the same files
  [/^(rank|prefilter)_/, 'compact_select_'], // matching: a plain select of the same rows
  [/^(steady_)?delivered_/, '$1store_subscriber_'], // chat: the same messages reaching a plain store subscriber
  [/^history_(graphql|read_model)_/, 'history_plain_sql_'], // chat: the same history page on a plain table
  [/^((?:progress|leaderboard)_\w+?)_(graphql|read_model)_/, '$1_plain_sql_'], // communities: the same statements on plain tables
  [/^fanout_(inbox|push)_(ms|s|per_s)$/, 'fanout_$1_plain_$2'], // notifications: INSERT … SELECT; a plain web-push loop
  [/^(inbox_\w+?)_graphql_/, '$1_plain_sql_'], // notifications: the same page and count in plain SQL
  [/^catchup_(graphql|ndjson)_/, 'catchup_plain_sql_'], // sync: the same feed and read-model rows in plain SQL
  [/^(push\d+)_(graphql|ndjson)_/, '$1_mutations_'], // sync: the same changes as one GraphQL mutation each
  [/^loadEventsPerSecond$/, 'baselineInsertEventsPerSecond'], // audit-replay: plain INSERTs
  [/^rebuild_all_events_per_s$/, 'rebuild_all_slowest_alone_events_per_s'], // projections: slowest alone
  [/^appendWithLoopPerSecond$/, 'appendWithoutLoopPerSecond'], // audit-verify: appends without anchoring
];

const lowerIsBetter = (key: string) =>
  /(_ms|_s|seconds|Ms|_bytes|_round_trips)(_|$)/i.test(key) && !/per_?s/i.test(key);

function baselineOf(key: string, figures: Figures): string | undefined {
  for (const [pattern, replacement] of BASELINE_NAMES) {
    const candidate = key.replace(pattern, replacement);
    if (candidate !== key && typeof figures[candidate] === 'number') return candidate;
  }
  return undefined;
}

function runBench(name: string): Promise<BenchRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', (code) => {
      const lines = output.trimEnd().split('\n');
      const json = [...lines].reverse().find((line) => line.trim().startsWith('{'));
      let figures: Figures | null = null;
      try {
        figures = json ? (JSON.parse(json) as Figures) : null;
      } catch {
        figures = null;
      }
      resolve({
        name,
        seconds: Math.round((performance.now() - started) / 1000),
        exitCode: code ?? 1,
        figures,
        postgres: /PostgreSQL (\d+(?:\.\d+)?)/.exec(output)?.[1] ?? null,
        tail: lines.slice(-15).join('\n'),
      });
    });
  });
}

const format = (value: unknown) =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(value);

/** Two decimals, or two significant digits below 0.1 (a 0.0036 must not read as 0). */
const formatRatio = (ratio: number) =>
  ratio < 0.1 ? String(Number(ratio.toPrecision(2))) : format(Math.round(ratio * 100) / 100);

function section(run: BenchRun): string {
  const title = `## \`npm run ${run.name}\` (${run.seconds} s)`;
  if (run.exitCode !== 0 || run.figures === null) {
    return `${title}\n\n**Failed** (exit ${run.exitCode}). Last lines:\n\n\`\`\`\n${run.tail}\n\`\`\`\n`;
  }
  const figures = run.figures;
  const numeric = Object.keys(figures).filter((key) => typeof figures[key] === 'number');
  const pairs = numeric.flatMap((key) => {
    const baseline = baselineOf(key, figures);
    return baseline ? [[key, baseline] as const] : [];
  });
  const baselines = new Set(pairs.map(([, baseline]) => baseline));
  const paired = new Set(pairs.map(([key]) => key));
  const rows = pairs.map(([key, baseline]) => {
    const value = figures[key] as number;
    const base = figures[baseline] as number;
    const ratio = base === 0 ? '—' : formatRatio(value / base);
    return `| \`${key}\` | ${format(value)} | \`${baseline}\` | ${format(base)} | ${ratio} | ${lowerIsBetter(key) ? 'lower' : 'higher'} |`;
  });
  const others = Object.keys(figures)
    .filter((key) => key !== 'bench' && !paired.has(key) && !baselines.has(key))
    .map((key) => `\`${key}\` ${format(figures[key])}`);
  return [
    title,
    '',
    '| figure | value | baseline | baseline value | ratio | better |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    others.length > 0 ? `Other figures: ${others.join(', ')}.` : '',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const scripts = Object.keys(
    (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Figures })
      .scripts,
  ).filter((name) => name.startsWith('bench:'));
  const only = process.env.BENCH_ONLY?.split(',').map((name) => `bench:${name.trim()}`);
  const selected = only ? scripts.filter((name) => only.includes(name)) : scripts;
  const runs: BenchRun[] = [];
  for (const name of selected) runs.push(await runBench(name));

  const machine = describeMachine();
  const postgres = runs.find((run) => run.postgres)?.postgres ?? 'unknown';
  const report = [
    '# Benchmark report',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.`,
    only ? `Subset: ${selected.join(', ')} (BENCH_ONLY).` : `All ${selected.length} benchmarks.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.platform};`,
    `Node ${machine.node}; PostgreSQL ${postgres} (embedded).`,
    '',
    'Each figure is compared with a baseline measured in the same run (plain SQL, a plain ffmpeg',
    'call, another GraphQL server, the same work without the feature): ratio = figure / baseline.',
    'Absolute numbers depend on this machine and its disk; the ratios travel better.',
    '',
    ...runs.map(section),
  ].join('\n');
  const file = new URL('./REPORT.md', import.meta.url);
  writeFileSync(file, report);
  // Aligned as the linter wants it, so a fresh report passes `npm run lint` as written.
  spawnSync('npx', ['biome', 'format', '--write', file.pathname], { stdio: 'ignore' });
  console.log(`\nwrote bench/REPORT.md (${runs.length} benchmarks)`);
  return runs.every((run) => run.exitCode === 0 && run.figures !== null) ? 0 : 1;
}

process.exitCode = await main();
