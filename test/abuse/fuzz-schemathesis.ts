import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Installed by `scripts/bootstrap.mjs --test` (a venv under `.tools/`, the version pinned there). */
export const SCHEMATHESIS_BIN = path.join(ROOT, '.tools', 'schemathesis', 'bin', 'schemathesis');
/** Chronicle's own response check (no 5xx, no INTERNAL or code-less error, no leaked internals). */
export const CHECKS_FILE = path.join(ROOT, 'scripts', 'fuzz-graphql-checks.py');
export const CHECK_NAME = 'chronicle_graphql_contract';

export const schemathesisInstalled = () => existsSync(SCHEMATHESIS_BIN);

export interface FuzzRun {
  /** Names the run in reports and logs, e.g. `anonymous`. */
  label: string;
  /** `http://127.0.0.1:port/graphql` */
  url: string;
  /** Sent as `Authorization: Bearer …` on every request. */
  token?: string;
  /** Test cases per operation and phase (schemathesis `--max-examples`). */
  maxExamples: number;
  seed: number;
  /** Operations (`Query.me`, `Mutation.logout`) left out, as one regular expression. */
  excludeOperations?: string;
  /** Only these operations, as one regular expression. */
  includeOperations?: string;
  /** Values mixed into every String/ID argument (real ids, hostile strings). */
  dictionary: readonly string[];
  /** How often a String/ID argument takes a dictionary value instead of a generated one (0..1). */
  dictionaryProbability: number;
  /** Reports and the config file go here. */
  dir: string;
}

export interface FuzzResult {
  label: string;
  seed: number;
  exitCode: number | null;
  /** HTTP requests schemathesis sent, counted from its HAR report. */
  requests: number;
  /** Operations tested, failures and errors, from its JUnit report. */
  operations: number;
  failures: number;
  errors: number;
  /** The `<failure>`/`<error>` messages of the JUnit report, one per failing operation. */
  failureMessages: string[];
  /** Operations by time spent, slowest first (from the JUnit report). */
  slowest: { operation: string; seconds: number }[];
  durationMs: number;
  output: string;
}

/**
 * One `schemathesis run` against the GraphQL endpoint: fuzzing and stateful phases, positive and
 * negative queries, judged by Chronicle's own check only. Schemathesis's `not_a_server_error` would
 * count every typed refusal (UNAUTHENTICATED, VALIDATION, ...) answered in a 200 as a server error.
 * Spawned without blocking, since the API under test usually lives in this same process.
 */
export async function runSchemathesis(run: FuzzRun): Promise<FuzzResult> {
  const configFile = path.join(run.dir, `${run.label}.toml`);
  await writeFile(configFile, configToml(run));
  const junit = path.join(run.dir, `${run.label}.junit.xml`);
  const har = path.join(run.dir, `${run.label}.har.json`);
  const args = [
    '--config-file',
    configFile,
    '--no-color',
    'run',
    run.url,
    '--checks',
    CHECK_NAME,
    '--max-examples',
    String(run.maxExamples),
    '--seed',
    String(run.seed),
    '--workers',
    '2',
    '--request-timeout',
    '20',
    '--generation-database',
    'none',
    '--report',
    'junit,har',
    '--report-junit-path',
    junit,
    '--report-har-path',
    har,
    '--wait-for-schema',
    '10',
    ...(run.token ? ['--header', `Authorization: Bearer ${run.token}`] : []),
    ...(run.excludeOperations ? ['--exclude-name-regex', run.excludeOperations] : []),
    ...(run.includeOperations ? ['--include-name-regex', run.includeOperations] : []),
  ];
  const started = Date.now();
  // Run from the temporary directory, so nothing (hypothesis' state, stray reports) lands in the repository.
  const { exitCode, output } = await spawnAndCollect(SCHEMATHESIS_BIN, args, run.dir, {
    ...process.env,
    SCHEMATHESIS_HOOKS: CHECKS_FILE,
    NO_COLOR: '1',
  });
  const durationMs = Date.now() - started;
  const junitXml = existsSync(junit) ? await readFile(junit, 'utf8') : '';
  const suite = /<testsuites[^>]*\berrors="(\d+)"[^>]*\bfailures="(\d+)"[^>]*\btests="(\d+)"/.exec(junitXml);
  return {
    label: run.label,
    seed: run.seed,
    exitCode,
    requests: existsSync(har) ? harEntries(await readFile(har, 'utf8')) : 0,
    operations: Number(suite?.[3] ?? 0),
    failures: Number(suite?.[2] ?? 0),
    errors: Number(suite?.[1] ?? 0),
    failureMessages: [
      ...junitXml.matchAll(/<(failure|error)\b[^>]*?(?:message="([^"]*)")?[^>]*>([^<]*)/g),
    ].map((m) => unescapeXml(`${m[2] ?? ''}\n${m[3] ?? ''}`.trim()).slice(0, 2_000)),
    slowest: [...junitXml.matchAll(/<testcase name="([^"]+)" time="([\d.]+)"/g)]
      .map((m) => ({ operation: unescapeXml(m[1] ?? ''), seconds: Number(m[2]) }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 5),
    durationMs,
    output,
  };
}

/** Project config: the dictionary, bound to every String/ID argument at the given probability. */
function configToml(run: FuzzRun): string {
  const values = run.dictionary.map((value) => JSON.stringify(value)).join(', ');
  return [
    '[dictionaries.chronicle]',
    `values = [${values}]`,
    '',
    '[generation]',
    // NUL bytes are in: PostgreSQL refuses them in text, so the API must refuse them first.
    'allow-x00 = true',
    '',
    '[generation.dictionaries]',
    `string = { dictionary = "chronicle", probability = ${run.dictionaryProbability} }`,
    '',
  ].join('\n');
}

function harEntries(text: string): number {
  const har = JSON.parse(text) as { log?: { entries?: unknown[] } };
  return har.log?.entries?.length ?? 0;
}

const unescapeXml = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&#10;', '\n')
    .replaceAll('&amp;', '&');

const running = new Set<ChildProcess>();

/** Kills a schemathesis still running (a test that timed out); for `afterAll`. */
export function killRunningFuzzers() {
  for (const child of running) child.kill('SIGKILL');
}

function spawnAndCollect(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8') }));
  });
}
