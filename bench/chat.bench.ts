/**
 * Chat benchmark (issue 20). 1,000 members in 200 group conversations of five, each member on its
 * own WebSocket with `myConversationUpdates` (selecting the message, as a chat screen would). Messages
 * are sent over HTTP at a fixed rate by random members; each is timed from the send's start to its
 * arrival on every other member's socket (send → delivered), and, as the baseline in the same run,
 * to its arrival at a plain event store subscriber in this process (what the store alone costs).
 * Then a 100,000-message conversation, seeded as real events through the projector: a history page
 * (50, backwards from a random point) through `chatMessages` over HTTP, through the API's own query
 * function, and as the same statement on a plain table with the same rows and index.
 * Prints the machine and ends with one JSON line of every figure.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { messageHistory } from '../src/api/chat/message-queries.ts';
import { loadConfig } from '../src/config.ts';
import { chatConversationEventCatalogue } from '../src/domain/chat/conversation-events.ts';
import { chatMessageEventCatalogue } from '../src/domain/chat/message-events.ts';
import { chatConversationStream, chatMessageStream } from '../src/domain/chat/streams.ts';
import { createLogger } from '../src/logger.ts';
import { Projector } from '../src/projections/projector.ts';
import { waitForPosition } from '../src/projections/wait-for-position.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { benchApp } from './support/bench-app.ts';
import { benchEventMetadata, graphqlClient } from './support/bench-graphql.ts';
import type { ClientReply, ClientRequest } from './support/chat-clients.ts';
import { printMachine, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile, timeRounds } from './support/timing.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000);
const GROUP = 5;
const RATE = Number(process.env.BENCH_RATE ?? 200);
/** A second phase at a rate this 2-core box sustains, for latency without queueing. */
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Absolute milliseconds, comparable with the client process's. */
const now = () => performance.timeOrigin + performance.now();
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const PAGE = 50;
const AUTH_SECRET = 'bench-secret-that-is-at-least-32-characters-long';

/** Runs `work` over `items` with at most `concurrency` at once. */
async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
    }),
  );
  return results;
}

async function main() {
  const db = await benchDatabase('chat');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('error');
  const config = loadConfig({
    AUTH_SECRET,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'chronicle-bench-chat-')),
  });
  const runtime = await openRuntime(config, log, db.url);
  const { store, pool, bus, codec, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 1_000 });
  await projector.start();
  const app = await benchApp(runtime, log, {
    authSecret: AUTH_SECRET,
    readYourWritesTimeoutMs: 10_000,
    // One socket per member, all from this one address.
    subscriptionLimits: { maxSocketsPerAddress: MEMBERS + 100 },
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const gql = graphqlClient(baseUrl);
  const id = (value: unknown) => z.object({ id: z.string() }).parse(value).id;

  // People and conversations, through the API.
  let started = performance.now();
  const members = await inParallel(
    Array.from({ length: MEMBERS }, (_, i) => i),
    8,
    async (i) => {
      const email = `bench-${i}-${randomUUID()}@example.org`;
      const password = 'benchmark password';
      const registered = await gql('mutation ($input: RegisterInput!) { register(input: $input) { id } }', {
        input: { email, password, displayName: `Member ${i}` },
      });
      const login = await gql('mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', {
        input: { email, password },
      });
      return {
        id: id(registered.register),
        token: z.object({ accessToken: z.string() }).parse(login.login).accessToken,
      };
    },
  );
  const groups = await inParallel(
    Array.from({ length: Math.floor(MEMBERS / GROUP) }, (_, g) => members.slice(g * GROUP, (g + 1) * GROUP)),
    8,
    async (group) => {
      const [owner, ...others] = group;
      if (!owner) throw new Error('empty group');
      const created = await gql(
        'mutation ($title: String, $memberIds: [ID!]!) { createGroupConversation(title: $title, memberIds: $memberIds) { id } }',
        { title: 'Bench group', memberIds: others.map((m) => m.id) },
        owner.token,
      );
      return { conversationId: id(created.createGroupConversation), members: group };
    },
  );
  console.log(
    `${members.length} members in ${groups.length} conversations of ${GROUP}: ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // The clients (every member's socket, and the senders) in a process of their own.
  const clients = fork(new URL('./support/chat-clients.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
  });
  const ask = <Type extends ClientReply['type']>(request: ClientRequest, expected: Type) =>
    new Promise<Extract<ClientReply, { type: Type }>>((resolve, reject) => {
      clients.once('message', (reply: ClientReply) => {
        if (reply.type === expected) resolve(reply as Extract<ClientReply, { type: Type }>);
        else reject(new Error(`chat clients: ${JSON.stringify(reply).slice(0, 500)}`));
      });
      clients.send(request);
    });
  await ask(
    {
      type: 'open',
      baseUrl,
      groups: groups.map((group) => ({
        conversationId: group.conversationId,
        tokens: group.members.map((member) => member.token),
      })),
    },
    'opened',
  );
  const { seconds: warmUpSeconds } = await ask({ type: 'warm-up' }, 'warmed-up');
  console.log(`sockets open and receiving: ${warmUpSeconds.toFixed(1)} s`);

  // The baseline: the same events reaching a plain event store subscriber in the server's process.
  const storeArrivals = new Map<string, number>();
  const abort = new AbortController();
  const storeSubscriber = (async () => {
    for await (const event of store.subscribeToAll({ fromPosition: 'end', signal: abort.signal })) {
      if (event.type !== 'ChatMessageSent') continue;
      const messageId = z.object({ messageId: z.string() }).safeParse(event.data);
      if (messageId.success) storeArrivals.set(messageId.data.messageId, now());
    }
  })();
  const stats = (values: number[]) => ({
    p50: Math.round(percentile(values, 50) * 10) / 10,
    p99: Math.round(percentile(values, 99) * 10) / 10,
  });
  const figures: Record<string, number> = { members: members.length, conversations: groups.length };
  // The target rate first, then a rate this box sustains: latency without a queue in front of it.
  for (const [phase, rate] of [
    ['', RATE],
    ['steady_', STEADY_RATE],
  ] as const) {
    const loaded = await ask({ type: 'load', rate, seconds: SECONDS, inFlight: IN_FLIGHT }, 'loaded');
    const arrivals = new Map(loaded.arrivals);
    const delivered: number[] = [];
    const toStore: number[] = [];
    const acknowledged: number[] = [];
    let missing = 0;
    for (const sent of loaded.sent) {
      acknowledged.push(sent.finished - sent.started);
      // Every member's socket gets it, the sender's too; the others' are the deliveries that count.
      const seen = arrivals.get(sent.messageId) ?? [];
      missing += Math.max(0, GROUP - seen.length);
      const others = [...seen].sort((a, b) => a - b).slice(0, GROUP - 1);
      for (const at of others) delivered.push(at - sent.started);
      const storeAt = storeArrivals.get(sent.messageId);
      if (storeAt !== undefined) toStore.push(storeAt - sent.started);
    }
    Object.assign(figures, {
      [`${phase}target_messages_per_s`]: rate,
      [`${phase}sent_messages_per_s`]: round(loaded.sent.length / loaded.seconds),
      [`${phase}send_failures`]: loaded.failures,
      [`${phase}deliveries_missing`]: missing,
      [`${phase}send_ack_p50_ms`]: stats(acknowledged).p50,
      [`${phase}send_ack_p99_ms`]: stats(acknowledged).p99,
      [`${phase}delivered_p50_ms`]: stats(delivered).p50,
      [`${phase}delivered_p99_ms`]: stats(delivered).p99,
      [`${phase}store_subscriber_p50_ms`]: stats(toStore).p50,
      [`${phase}store_subscriber_p99_ms`]: stats(toStore).p99,
    });
    console.log(
      `\n${loaded.sent.length} messages in ${loaded.seconds.toFixed(1)} s (${figures[`${phase}sent_messages_per_s`]}/s, target ${rate}/s), ${loaded.failures} failed`,
    );
    console.log('                                   p50 ms    p99 ms');
    for (const [name, values] of [
      ['send acknowledged (HTTP)', acknowledged],
      ["send → other members' sockets", delivered],
      ['send → plain store subscriber', toStore],
    ] as const) {
      const { p50, p99 } = stats(values);
      console.log(`${name.padEnd(34)} ${String(p50).padStart(7)} ${String(p99).padStart(9)}`);
    }
    console.log(`deliveries missing: ${missing} of ${loaded.sent.length * GROUP}`);
  }
  abort.abort();
  await storeSubscriber.catch(() => {});
  clients.send({ type: 'stop' } satisfies ClientRequest);

  // History: one conversation of HISTORY messages, seeded as events and projected.
  started = performance.now();
  const [reader, ...others] = members.slice(0, GROUP);
  if (!reader) throw new Error('no reader');
  const conversationId = randomUUID();
  await store.append(chatConversationStream(conversationId), [
    await codec.encode(
      chatConversationEventCatalogue.ChatConversationStarted,
      {
        type: 'ChatConversationStarted',
        data: {
          conversationId,
          kind: 'group',
          startedBy: reader.id,
          memberIds: [reader.id, ...others.map((m) => m.id)],
          title: 'History',
        },
      },
      benchEventMetadata(),
      randomUUID(),
    ),
  ]);
  let head = 0n;
  const BATCH = 500;
  for (let offset = 0; offset < HISTORY; offset += BATCH) {
    const positions = await Promise.all(
      Array.from({ length: Math.min(BATCH, HISTORY - offset) }, async (_, i) => {
        const messageId = randomUUID();
        const event = await codec.encode(
          chatMessageEventCatalogue.ChatMessageSent,
          {
            type: 'ChatMessageSent',
            data: {
              messageId,
              conversationId,
              senderId: (members[(offset + i) % GROUP] ?? reader).id,
              text: `history message ${offset + i}`,
              replyToId: null,
              attachments: [],
            },
          },
          benchEventMetadata(),
          randomUUID(),
        );
        return (await store.append(chatMessageStream(messageId), [event])).position;
      }),
    );
    for (const position of positions) if (position > head) head = position;
  }
  const appended = (performance.now() - started) / 1000;
  await waitForPosition(pool, bus, head, { timeoutMs: 30 * 60_000, projections: ['chat'] });
  const projected = (performance.now() - started) / 1000;
  await pool.query('analyze');
  console.log(
    `\nseeded a ${HISTORY}-message conversation: append ${appended.toFixed(1)} s, projected after ${projected.toFixed(1)} s`,
  );
  await pool.query(`create table bench_messages as select * from chat_messages where conversation_id = '${conversationId}';
    create unique index on bench_messages (conversation_id, position); analyze bench_messages;`);
  const { rows: cursorRows } = await pool.query<{ position: string }>(
    'select position::text as position from chat_messages where conversation_id = $1 order by position',
    [conversationId],
  );
  const randomBefore = () =>
    cursorRows[Math.floor(Math.random() * cursorRows.length)]?.position ?? cursorRows.at(-1)?.position ?? '0';
  const HISTORY_QUERY = `query ($c: ID!, $before: String) { chatMessages(conversationId: $c, last: ${PAGE}, before: $before) {
    nodes { id position senderId text sentAt edited deleted } pageInfo { hasPreviousPage startCursor } } }`;
  const plainSql = `select message_id, conversation_id, position::text as position, sender_id, text, reply_to_id,
    attachments, revisions, edited_at, deleted_at, sent_at from bench_messages
    where conversation_id = $1 and bench_messages.position < $2::bigint
    order by bench_messages.position desc limit $3`;
  for (let i = 0; i < 20; i++) {
    await gql(HISTORY_QUERY, { c: conversationId, before: randomBefore() }, reader.token);
    await messageHistory(pool, reader.id, conversationId, { last: PAGE, before: randomBefore() });
    await pool.query(plainSql, [conversationId, randomBefore(), PAGE + 1]);
  }
  const history = {
    graphql: await timeRounds(ROUNDS, () =>
      gql(HISTORY_QUERY, { c: conversationId, before: randomBefore() }, reader.token),
    ),
    read_model: await timeRounds(ROUNDS, () =>
      messageHistory(pool, reader.id, conversationId, { last: PAGE, before: randomBefore() }),
    ),
    plain_sql: await timeRounds(ROUNDS, () =>
      pool.query(plainSql, [conversationId, randomBefore(), PAGE + 1]),
    ),
  };
  console.log(`${`\nhistory page of ${PAGE} (${HISTORY} messages)`.padEnd(39)}  p50 ms    p99 ms`);
  for (const [name, values] of Object.entries(history)) {
    const { p50, p99 } = stats(values);
    console.log(`${name.padEnd(38)} ${String(p50).padStart(7)} ${String(p99).padStart(9)}`);
    figures[`history_${name}_p50_ms`] = p50;
    figures[`history_${name}_p99_ms`] = p99;
  }
  figures.history_messages = cursorRows.length;
  figures.history_seed_append_s = Math.round(appended);
  figures.history_seed_projected_s = Math.round(projected);

  await app.close();
  await projector.stop();
  await runtime.close();
  await db.stop();
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
