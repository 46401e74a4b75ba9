import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, cleanEnv } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';

/**
 * `chronicle … | head -1` as an operator types it: bash runs the CLI into a real pipe whose reader
 * closes its end at once (before the CLI, which takes a moment to start, has written anything),
 * so every write the CLI makes fails with EPIPE. `$PIPESTATUS` (its first element) is the CLI's exit code.
 */
function runIntoClosedPipe(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      ['-c', 'node "$0" "$@" | (exec 0<&-; sleep 0.2); exit $PIPESTATUS', CLI, ...args],
      { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chronicle ${args.join(' ')} did not exit\n${stderr}`));
    }, 45_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the CLI writing into a pipe whose reader has gone', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase('closed_pipe');
  });

  it.concurrent.each([
    { command: '--help', expected: 0 },
    { command: 'projections status', expected: 0 },
    { command: 'audit verify --all', expected: 0 },
  ])(
    'chronicle $command exits quietly with its own code ($expected)',
    async ({ command, expected }) => {
      const result = await runIntoClosedPipe(command.split(' '), { DATABASE_URL: url, LOG_LEVEL: 'info' });
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.ts:\d+/);
      expect(result.code, result.stderr).toBe(expected);
    },
    60_000,
  );
});
