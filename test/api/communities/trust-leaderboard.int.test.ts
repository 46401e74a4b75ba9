import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LeaderboardRow,
  leaderboard,
  leaderboardCursor,
  leaderboardSql,
} from '../../../src/api/communities/trust-queries.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const MEMBERS = 20_000;
const NOW = new Date('2026-12-07T12:00:00.000Z');

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * A community of MEMBERS trust rows (every tenth one no longer a member, many sharing a `base`),
 * written through the read model's view inside a transaction the test rolls back, and analysed so
 * the planner sees the table as it would be.
 */
async function withBigCommunity(test: (client: pg.PoolClient, communityId: string) => Promise<void>) {
  const client = await api.runtime.pool.connect();
  const communityId = randomUUID();
  try {
    await client.query('begin');
    await client.query(
      `insert into community_trust_scores
         (community_id, user_id, score, base, tenure_days, member_since, components, updated_at)
       select $1, gen_random_uuid(), 0, (i % 700) / 10.0, i % 120,
              case when i % 10 = 0 then null else $2::timestamptz - make_interval(days => i % 200) end,
              '{}'::jsonb, $2
         from generate_series(1, $3) i`,
      [communityId, NOW, MEMBERS],
    );
    const { rows } = await client.query<{ definition: string }>(
      "select pg_get_viewdef('community_trust_scores'::regclass) as definition",
    );
    const physical = /from\s+(rm_community_trust__community_trust_scores__g\d+)/iu.exec(
      rows[0]?.definition ?? '',
    )?.[1];
    expect(physical).toBeDefined();
    await client.query(`analyze ${physical}`);
    await test(client, communityId);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

describe('the leaderboard', () => {
  it('reads a page as an index range scan, after a cursor too: no sort of every member', async () => {
    await withBigCommunity(async (client, communityId) => {
      const plans: PlanNode[][] = [];
      for (const [after, params] of [
        [false, [communityId, NOW, 21]],
        [true, [communityId, NOW, randomUUID(), 21]],
      ] as const) {
        const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
          `explain (format json) ${leaderboardSql(after)}`,
          [...params],
        );
        plans.push(nodesOf(rows[0]?.['QUERY PLAN'][0]?.Plan as PlanNode));
      }
      for (const [i, nodes] of plans.entries()) {
        const types = nodes.map((node) => node['Node Type']);
        expect(types).not.toContain('Sort');
        expect(types).not.toContain('Seq Scan');
        // The partial index on (community_id, (-base), user_id), the table's first; after a
        // cursor the scan seeks to the anchor by row comparison instead of filtering up to it.
        const scan = nodes.find(
          (node) => node['Node Type'] === 'Index Scan' && /_i0$/u.test(node['Index Name'] ?? ''),
        );
        expect(scan).toBeDefined();
        if (i === 1) expect(scan?.['Index Cond']).toMatch(/ROW\(\(- base\), user_id\) > ROW/u);
      }
    });
  });

  it('pages through current members by base then user id, ranks carried by the cursor', async () => {
    await withBigCommunity(async (client, communityId) => {
      const { rows: expected } = await client.query<{ user_id: string }>(
        `select user_id from community_trust_scores
          where community_id = $1 and member_since is not null
          order by base desc, user_id limit 250`,
        [communityId],
      );
      const seen: LeaderboardRow[] = [];
      let after: string[] | undefined;
      while (seen.length < 250) {
        const { rows } = await leaderboard(client, communityId, { first: 50, after }, NOW);
        expect(rows).toHaveLength(51);
        const page = rows.slice(0, 50);
        seen.push(...page);
        after = leaderboardCursor(page.at(-1) as LeaderboardRow);
      }
      expect(seen.map((row) => row.user_id)).toEqual(expected.map((row) => row.user_id));
      expect(seen.map((row) => row.rank)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
      // Each row's full score (tenure included) is there for the resolver to show or hide.
      const { rows: scored } = await client.query<{ score: string }>(
        `select round(least(100, greatest(0, base + 30 * least(1,
                  (tenure_days + date_part('epoch', $3::timestamptz - member_since) / 86400) / 90)))::float8 * 100) / 100
                  as score
           from community_trust_scores where community_id = $1 and user_id = $2`,
        [communityId, seen[0]?.user_id, NOW],
      );
      expect(Number(seen[0]?.score)).toBeCloseTo(Number(scored[0]?.score), 2);
    });
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(
      leaderboard(api.runtime.pool, randomUUID(), { first: 5, after: ['not-a-user', '3'] }, NOW),
    ).rejects.toMatchObject({ code: 'VALIDATION', reason: 'INVALID_CURSOR' });
  });
});
