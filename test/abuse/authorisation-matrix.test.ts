import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type IdentityApp, startIdentityApp } from '../api/support/identity-app.ts';
import { AuthzFixture, ROLES } from './authz-fixture.ts';
import { type Call, type Cell, labelOf, MATRIX, type MatrixRow, type Outcome } from './authz-matrix.ts';

/**
 * Every GraphQL mutation × every role (anonymous, user, creator, brand editor, approver, moderator,
 * admin, auditor, and an API key per scope), against the matrix in `authz-matrix.ts`. A refusal is
 * UNAUTHENTICATED or FORBIDDEN (or, where a row says so, the NOT_FOUND that hides a thing from
 * strangers) and stores nothing. An allowed cell must succeed, or answer one of the domain errors
 * its row names (`reachedWith`) as raised only after the "who" check; any other error (a NOT_FOUND
 * raised before authorisation, refused input, INTERNAL) is an error of the matrix itself.
 */

const BATCH = 6;

let api: IdentityApp;
let fx: AuthzFixture;

beforeAll(async () => {
  api = await startIdentityApp({ readYourWritesTimeoutMs: 10_000 });
  const started = performance.now();
  fx = await AuthzFixture.create(api);
  console.info(`authorisation matrix: fixture ready in ${Math.round(performance.now() - started)} ms`);
}, 120_000);

afterAll(async () => {
  await api?.close();
});

interface Planned {
  row: MatrixRow;
  cell: Cell;
  call?: Call;
}

interface Result extends Planned {
  outcome: Outcome | 'broken';
  detail: string;
  /** Preparing the cell's props and sending it. */
  ms: number;
}

const cellsOf = (expected: 'allow' | 'deny'): Planned[] =>
  MATRIX.flatMap((row) =>
    ROLES.filter((role) => row.allowed.includes(role) === (expected === 'allow')).map((role) => ({
      row,
      cell: { role, actor: fx.actors[role], expected },
    })),
  );

function classify(
  row: MatrixRow,
  response: GraphQLResponse,
): { outcome: Outcome | 'broken'; detail: string } {
  const errors = response.errors ?? [];
  const first = errors[0];
  const detail = first ? [first.extensions?.code, first.extensions?.reason].filter(Boolean).join('/') : 'ok';
  if (!first) {
    const custom = row.outcome?.(response);
    if (custom) return { outcome: custom, detail: custom === 'denied' ? 'item refused' : 'ok' };
    return { outcome: row.outcome ? 'broken' : 'allowed', detail };
  }
  const code = first.extensions?.code ?? '';
  if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' || row.concealedAs?.includes(detail)) {
    return { outcome: 'denied', detail };
  }
  if (row.reachedWith?.includes(detail)) return { outcome: 'allowed', detail };
  return { outcome: 'broken', detail: `${detail}: ${first.message}` };
}

async function inBatches<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    results.push(...(await Promise.all(items.slice(i, i + BATCH).map(run))));
  }
  return results;
}

async function send(planned: Planned): Promise<Result> {
  const started = performance.now();
  const call = planned.call ?? (await planned.row.call(fx, planned.cell));
  const response = await api.gql(
    planned.row.document,
    call.variables,
    call.token ?? planned.cell.actor.token,
  );
  return { ...planned, call, ...classify(planned.row, response), ms: performance.now() - started };
}

/** The rows that took longest (summed over their cells), for whoever has to make the matrix faster. */
function slowest(results: Result[], n = 5): string {
  const byRow = new Map<string, number>();
  for (const r of results) byRow.set(labelOf(r.row), (byRow.get(labelOf(r.row)) ?? 0) + r.ms);
  return [...byRow]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${name} ${Math.round(ms)} ms`)
    .join(', ');
}

/** The cells whose outcome is not the expected one, one readable line each. */
const mismatches = (results: Result[]) =>
  results
    .filter((r) => r.outcome !== (r.cell.expected === 'allow' ? 'allowed' : 'denied'))
    .map(
      (r) =>
        `${labelOf(r.row)} as ${r.cell.role}: expected ${r.cell.expected}, got ${r.outcome} (${r.detail})`,
    );

async function eventCount(): Promise<number> {
  const { rows } = await api.runtime.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
  return Number(rows[0]?.n);
}

describe('authorisation matrix: every mutation × every role', () => {
  it('has an expected outcome for every mutation in the schema, and no row for one that is not', async () => {
    const response = await api.gql(`{ __schema { mutationType { fields { name } } } }`);
    const schema = response.data?.__schema as { mutationType: { fields: { name: string }[] } };
    const inSchema = schema.mutationType.fields.map((f) => f.name).sort();
    const inMatrix = MATRIX.map((row) => row.mutation);
    const missing = inSchema
      .filter((name) => !inMatrix.includes(name))
      .map((n) => `mutation ${n} has no expected outcome`);
    const stale = inMatrix
      .filter((name) => !inSchema.includes(name))
      .map((n) => `row ${n} names no mutation`);
    const labels = MATRIX.map(labelOf);
    const duplicates = labels.filter((name, i) => labels.indexOf(name) !== i).map((n) => `row ${n} twice`);
    expect([...missing, ...stale, ...duplicates]).toEqual([]);
    console.info(
      `authorisation matrix: ${inSchema.length} mutations × ${ROLES.length} roles = ${inSchema.length * ROLES.length} cells, ` +
        `plus ${MATRIX.length - inSchema.length} argument variant row(s): ${MATRIX.length * ROLES.length} cells in all`,
    );
  });

  let denied: Result[] = [];

  it('refuses every cell the matrix denies, and stores nothing for them', async () => {
    const started = performance.now();
    // Every deny cell's variables (and the shared props behind them) exist before the count.
    const planned = await inBatches(cellsOf('deny'), async (p) => ({
      ...p,
      call: await p.row.call(fx, p.cell),
    }));
    const before = await eventCount();
    denied = await inBatches(planned, send);
    const after = await eventCount();
    expect(mismatches(denied)).toEqual([]);
    expect(after - before, 'events stored by refused calls').toBe(0);
    const byCode = new Map<string, number>();
    for (const r of denied) byCode.set(r.detail, (byCode.get(r.detail) ?? 0) + 1);
    console.info(
      `authorisation matrix: ${denied.length} deny cells in ${Math.round(performance.now() - started)} ms, ` +
        `events before/after ${before}/${after}; refusals: ${[...byCode].map(([k, v]) => `${k} ×${v}`).join(', ')}; ` +
        `slowest rows: ${slowest(denied)}`,
    );
  }, 120_000);

  it('lets every cell the matrix allows past authorisation', async () => {
    const started = performance.now();
    const allowed = await inBatches(cellsOf('allow'), send);
    expect(mismatches(allowed)).toEqual([]);
    const succeeded = allowed.filter((r) => r.detail === 'ok').length;
    const domain = allowed
      .filter((r) => r.detail !== 'ok')
      .map((r) => `${labelOf(r.row)}/${r.cell.role}: ${r.detail}`);
    console.info(
      `authorisation matrix: ${allowed.length} allow cells in ${Math.round(performance.now() - started)} ms ` +
        `(${succeeded} succeeded, ${domain.length} passed authorisation and met a domain rule: ${domain.join('; ')}); ` +
        `slowest rows: ${slowest(allowed)}`,
    );
    console.info(`authorisation matrix: ${allowed.length + denied.length} cells checked`);
  }, 120_000);
});
