import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

/** No database listens on port 1: the projector logs its start, fails to connect and exits 1. */
const UNREACHABLE = { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/chronicle', LOG_LEVEL: 'info' };

describe('log format', () => {
  it('writes one JSON object per line when stdout is not a terminal', async () => {
    const { code, stdout } = await runCli(['projector'], UNREACHABLE);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines)
      expect(JSON.parse(line)).toMatchObject({ service: 'chronicle', role: 'projector' });
  });

  it('writes lines for a person with LOG_FORMAT=pretty (the default on a terminal)', async () => {
    const { code, stdout } = await runCli(['projector'], { ...UNREACHABLE, LOG_FORMAT: 'pretty' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*event store: embedded PostgreSQL/m);
    expect(stdout).toMatch(/ERROR.*projector failed to start/);
    expect(stdout).not.toMatch(/^\{"level"/m);
  });
});
