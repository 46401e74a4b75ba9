/**
 * API benchmark: req/s and p50/p99 latency for a representative read query (an admin's page of
 * users) and a mutation (updateProfile: a command through the event store, waiting for the read
 * model), with autocannon in a second process. Baseline in the same run: Apollo Server with the same
 * schema, resolving the same query with the same SQL (`listUsers`: one statement, the page with its
 * count as a subquery column, since the query selects totalCount), and the mutation as a plain SQL
 * UPDATE of the read model — so the ratios show what Chronicle's auth, limits, event sourcing and
 * read-your-writes cost on top of a bare GraphQL server. Chronicle's session check is answered from
 * its in-process cache after the first request (see docs/security.md), so under load both servers
 * run one statement per read.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import { listUsers } from '../src/api/identity/read-model-queries.ts';
import { connection } from '../src/api/pagination.ts';
import { selectsField } from '../src/api/selected-fields.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { setRole } from '../src/services/identity/account.ts';
import { benchApp } from './support/bench-app.ts';
import { printMachine, ratio, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, subscriptionLatency } from './support/subscription-latency.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const AUTH_SECRET = 'bench-secret-of-at-least-thirty-two-characters';

const READ = `{ users(page: { first: 20 }) { totalCount nodes { id displayName role registeredAt } } }`;
const WRITE = `mutation { updateProfile(input: { bio: "benchmarking" }) { id bio } }`;

const loadResult = z.object({
  requestsPerSecond: z.number(),
  p50: z.number(),
  p99: z.number(),
  errors: z.number(),
  non2xx: z.number(),
  total: z.number(),
});
type LoadResult = z.infer<typeof loadResult>;

/** autocannon in its own process, so the load generator does not share the server's event loop. */
async function load(url: string, body: string, tokens: string[]): Promise<LoadResult> {
  const runner = new URL('./support/load-runner.ts', import.meta.url).pathname;
  const input = JSON.stringify({ url, seconds: SECONDS, connections: CONNECTIONS, body, tokens });
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', runner, input], {
    maxBuffer: 1 << 20,
  });
  const result = loadResult.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
  if (result.errors > 0 || result.non2xx > 0) {
    console.log(`  (warning: ${result.errors} errors, ${result.non2xx} non-2xx of ${result.total})`);
  }
  return result;
}

/**
 * The load, and this process's CPU time per request while it ran. Both servers live in this
 * process and only one is under load at a time, so the figure is what a request costs the server,
 * which other work on a busy machine disturbs far less than req/s (the runner is a child process,
 * not counted).
 */
async function measured(url: string, body: string, tokens: string[]) {
  const before = process.cpuUsage();
  const result = await load(url, body, tokens);
  const used = process.cpuUsage(before);
  return { ...result, cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, result.total) };
}

async function main() {
  const db = await benchDatabase('api');
  printMachine({ PostgreSQL: db.version });
  // 'error': the embedded server's shutdown at the end terminates idle connections, which warns.
  const log = createLogger('error');
  const config = loadConfig({
    AUTH_SECRET,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-api-')),
  });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, bus, projections, codec, keys } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections);
  await projector.start();
  const app = await benchApp(runtime, log, { authSecret: AUTH_SECRET, readYourWritesTimeoutMs: 5_000 });
  const chronicleUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;

  // Seed: users registered through the API; the first becomes an admin; each connection signs in
  // as a different user so the mutation load does not queue on one stream.
  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: { query, variables },
    });
    const body = z.object({
      data: z.record(z.string(), z.unknown()).nullable(),
      errors: z.unknown().optional(),
    });
    const parsed = body.parse(response.json());
    if (parsed.errors) throw new Error(`seed failed: ${JSON.stringify(parsed.errors)}`);
    return parsed.data ?? {};
  };
  const tokens: string[] = [];
  const seedStart = performance.now();
  for (let i = 0; i < USERS; i++) {
    const email = `bench-${i}@example.org`;
    const password = 'benchmark password';
    const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
      input: { email, password, displayName: `Bench User ${i}` },
    });
    if (i === 0) {
      const id = z.object({ id: z.string() }).parse(registered.register).id;
      await setRole(
        { store, codec, keys, log },
        { actor: { kind: 'system', process: 'bench' }, correlationId: 'seed' },
        { userId: id, role: 'admin' },
      );
    }
    if (i <= CONNECTIONS) {
      const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
        input: { email, password },
      });
      tokens.push(z.object({ accessToken: z.string() }).parse(login.login).accessToken);
    }
  }
  console.log(`seeded ${USERS} users in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const [adminToken, ...writerTokens] = tokens;
  if (!adminToken) throw new Error('no admin token');

  // Baseline: Apollo Server, same schema, same SQL for the read, a plain UPDATE for the write.
  const typeDefs = ['../src/api/schema.graphql', '../src/api/identity/schema.graphql'].map((file) =>
    readFileSync(new URL(file, import.meta.url), 'utf8'),
  );
  const apollo = new ApolloServer({
    typeDefs: typeDefs.join('\n'),
    resolvers: {
      Query: {
        users: async (
          _root: unknown,
          args: { page?: unknown },
          _context: unknown,
          info: GraphQLResolveInfo,
        ) => {
          const { rows, page, total } = await listUsers(pool, args, {
            withTotal: selectsField(info, 'totalCount'),
          });
          return connection(
            rows,
            page,
            total,
            (row) => [row.sort_key, row.user_id],
            (row) => ({
              id: row.user_id,
              displayName: row.display_name,
              role: row.role,
              registeredAt: row.registered_at.toISOString(),
            }),
          );
        },
      },
      Mutation: {
        updateProfile: async () => {
          const { rows } = await pool.query<{ user_id: string; bio: string }>(
            `update users set bio = 'benchmarking' where user_id = (select user_id from users limit 1)
             returning user_id, bio`,
          );
          return { id: rows[0]?.user_id, bio: rows[0]?.bio };
        },
      },
    },
  });
  const { url: apolloBase } = await startStandaloneServer(apollo, { listen: { port: 0, host: '127.0.0.1' } });
  const apolloUrl = apolloBase;

  const figures: Record<string, number> = {};
  type Measured = LoadResult & { cpuMsPerRequest: number };
  const row = (label: string, ours: Measured, base: Measured, key: string) => {
    figures[`${key}_req_per_s`] = round(ours.requestsPerSecond);
    figures[`${key}_p50_ms`] = ours.p50;
    figures[`${key}_p99_ms`] = ours.p99;
    figures[`${key}_req_per_s_apollo`] = round(base.requestsPerSecond);
    figures[`${key}_p50_ms_apollo`] = base.p50;
    figures[`${key}_p99_ms_apollo`] = base.p99;
    figures[`${key}_ratio`] = ratio(ours.requestsPerSecond, base.requestsPerSecond);
    figures[`${key}_cpu_ms_per_req`] = Math.round(ours.cpuMsPerRequest * 1000) / 1000;
    figures[`${key}_cpu_ms_per_req_apollo`] = Math.round(base.cpuMsPerRequest * 1000) / 1000;
    // Apollo's CPU per request over ours: above 1 means a request costs Chronicle less.
    figures[`${key}_cpu_ratio`] = ratio(base.cpuMsPerRequest, ours.cpuMsPerRequest);
    console.log(
      `${label.padEnd(34)} ${round(ours.requestsPerSecond).toString().padStart(6)} req/s  p50 ${ours.p50} ms  p99 ${ours.p99} ms` +
        `   Apollo ${round(base.requestsPerSecond)} req/s  p50 ${base.p50} ms  p99 ${base.p99} ms   ratio ${figures[`${key}_ratio`]}`,
    );
    console.log(
      `${''.padEnd(34)} server CPU ${figures[`${key}_cpu_ms_per_req`]} ms/req   Apollo ${figures[`${key}_cpu_ms_per_req_apollo`]} ms/req   ratio ${figures[`${key}_cpu_ratio`]}`,
    );
  };

  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per run\n`);
  const readBody = JSON.stringify({ query: READ });
  row(
    'read: users page of 20 (admin)',
    await measured(chronicleUrl, readBody, [adminToken]),
    await measured(apolloUrl, readBody, []),
    'read',
  );
  const writeBody = JSON.stringify({ query: WRITE });
  row(
    'mutation: updateProfile',
    await measured(chronicleUrl, writeBody, writerTokens),
    await measured(apolloUrl, writeBody, []),
    'mutation',
  );

  // Subscriptions: 1,000 open `meChanged` subscriptions (100 for each of 10 users, 20 per socket).
  const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1000);
  const subscribedUsers = writerTokens.slice(0, 10);
  const latency = await subscriptionLatency({
    wsUrl: chronicleUrl.replace(/^http/, 'ws'),
    store,
    users: subscribedUsers.map((token) => ({
      token,
      update: (bio: string) =>
        gql('mutation ($bio: String) { updateProfile(input: { bio: $bio }) { id } }', { bio }, token),
    })),
    subscriptionsPerUser: Math.ceil(SUBSCRIBERS / subscribedUsers.length),
    rounds: Number(process.env.BENCH_ROUNDS ?? 30),
  });
  for (const p of [50, 99] as const) {
    figures[`subscription_ms_p${p}`] = Math.round(percentile(latency.client, p) * 10) / 10;
    figures[`subscription_ms_p${p}_baseline`] = Math.round(percentile(latency.store, p) * 10) / 10;
    figures[`subscription_p${p}_ratio`] = ratio(percentile(latency.client, p), percentile(latency.store, p));
    console.log(
      `subscription delivery p${p}, ${SUBSCRIBERS} open: ${figures[`subscription_ms_p${p}`]} ms` +
        `   baseline (event store subscriber) ${figures[`subscription_ms_p${p}_baseline`]} ms   ratio ${figures[`subscription_p${p}_ratio`]}`,
    );
  }
  figures.subscription_samples = latency.client.length;

  console.log(
    '\nbaseline: Apollo Server 5 (standalone), same SDL; read = same SQL, no auth; mutation = one SQL UPDATE of the read model.',
  );
  console.log(
    'subscriptions: from the start of the updateProfile command to delivery on each socket; baseline = the same event reaching a plain event store subscriber.',
  );
  console.log(JSON.stringify({ bench: 'api', cores: (await import('node:os')).cpus().length, ...figures }));
  await apollo.stop();
  await app.close();
  await projector.stop();
  await runtime.close();
  await db.stop();
}

await main();
