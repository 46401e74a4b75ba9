import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// A library's exit hook once turned every failing run into exit code 0, so CI saw green.
it('a failing test makes the test run exit non-zero', async () => {
  const child = spawn(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', 'test/foundation/fixtures/exit-code-probe.test.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, CHRONICLE_EXIT_CODE_PROBE: '1' },
      stdio: 'ignore',
    },
  );
  const [code] = await once(child, 'exit');
  expect(code).toBe(1);
}, 60_000);
