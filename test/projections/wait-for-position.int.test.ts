import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { freshDatabase } from '../support/database.ts';

/** A pool that counts its queries: read-your-writes must not query per notification. */
function countingPool(connectionString: string): pg.Pool & { queries: number } {
  const pool = Object.assign(new pg.Pool({ connectionString, max: 2 }), { queries: 0 });
  const query = pool.query.bind(pool);
  pool.query = ((...args: Parameters<typeof query>) => {
    pool.queries++;
    return query(...args);
  }) as typeof pool.query;
  return pool;
}

describe('waitForPosition', () => {
  let pool: ReturnType<typeof countingPool>;
  const bus = new InProcessChangeBus();
  const names = ['wfp_a', 'wfp_b'];
  const change = (projection: string, position: bigint) =>
    bus.publish({ projection, position: position.toString(), keys: [], truncated: false });
  const setCheckpoints = (checkpoint: bigint) =>
    pool.query('update projection_state set checkpoint = $1 where name = any($2)', [
      checkpoint.toString(),
      names,
    ]);

  beforeAll(async () => {
    pool = countingPool(await freshDatabase('wfp'));
    for (const name of names) {
      await pool.query(
        `insert into projection_state (name, code_version, generation, checkpoint) values ($1, 1, 1, 10)`,
        [name],
      );
    }
  });
  afterAll(async () => {
    await pool.end();
  });

  it('answers from the notifications of every needed projection, after one look at the checkpoints', async () => {
    await setCheckpoints(10n);
    pool.queries = 0;
    const waiting = waitForPosition(pool, bus, 20n, { timeoutMs: 5_000, projections: names, pollMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Unrelated projections, one of the two needed, and positions short of 20 do not settle it.
    await change('wfp_other', 30n);
    await change('wfp_a', 25n);
    await change('wfp_b', 19n);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    await change('wfp_b', 20n);
    await expect(waiting).resolves.toBe(true);
    expect(pool.queries).toBe(1);
  });

  it('still finds checkpoints that moved without a notification, on its timer', async () => {
    await setCheckpoints(10n);
    const waiting = waitForPosition(pool, bus, 40n, { timeoutMs: 5_000, projections: names, pollMs: 50 });
    await setCheckpoints(40n);
    await expect(waiting).resolves.toBe(true);
  });

  it('says false when the position is not reached in time', async () => {
    await setCheckpoints(10n);
    await change('wfp_a', 99n);
    expect(await waitForPosition(pool, bus, 50n, { timeoutMs: 200, projections: names, pollMs: 50 })).toBe(
      false,
    );
  });
});
