import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

/** Enough for `chronicle api` to get past its own checks, so only the bad variable can fail it. */
const VALID = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' };

const BAD_VALUES: [variable: string, value: string][] = [
  ['DATABASE_URL', 'mysql://db/chronicle'],
  ['EVENTSTORE_CONNECTION_STRING', 'http://eventstore:2113'],
  ['REDIS_URL', 'localhost:6379'],
  ['TEMPORAL_ADDRESS', 'temporal'],
  ['OPENAI_API_KEY', 'sk- pasted with spaces'],
  ['PORT', '70000'],
  ['LOG_LEVEL', 'loud'],
  ['NODE_ENV', 'staging'],
];

describe('chronicle api with an invalid variable', () => {
  it.concurrent.each(BAD_VALUES)('%s=%s exits with code 2 naming it', async (variable, value) => {
    const result = await runCli(['api'], { ...VALID, [variable]: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(variable);
  });

  it.concurrent('names DATABASE_URL and TEMPORAL_ADDRESS when the api role has neither', async () => {
    const result = await runCli(['api'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
  });
});

describe('chronicle migrate with DATA_DIR that cannot be a directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chronicle-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits with code 2 naming DATA_DIR', async () => {
    const file = path.join(dir, 'not-a-directory');
    await writeFile(file, '');
    const result = await runCli(['migrate'], { DATA_DIR: file });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATA_DIR');
  });
});

describe('chronicle commands', () => {
  it.concurrent('prints help with --help and exits 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dev .*api .*migrate/s);
  });

  it.concurrent('rejects an unknown command with code 2', async () => {
    const result = await runCli(['serve'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "serve"');
  });

  it.concurrent('worker needs DATABASE_URL and TEMPORAL_ADDRESS and says so with code 2', async () => {
    const result = await runCli(['worker'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it.concurrent('projector needs DATABASE_URL and says so with code 2', async () => {
    const result = await runCli(['projector'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL');
  });

  it.concurrent('projections rejects a malformed sub-command with code 2', async () => {
    const result = await runCli(['projections', 'rebuild'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('projections takes');
  });
});
