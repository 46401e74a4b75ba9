/**
 * The chat benchmark's clients, in a process of their own (forked by bench/chat.bench.ts) so that
 * 1,000 WebSockets and the senders' HTTP requests do not share the server's event loop: every
 * member's socket with `myConversationUpdates`, and the open-loop senders. Times are absolute
 * (`performance.timeOrigin + performance.now()`), comparable with the server process's.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { z } from 'zod';

export interface Group {
  conversationId: string;
  /** Access tokens of the group's members. */
  tokens: string[];
}

export type ClientRequest =
  | { type: 'open'; baseUrl: string; groups: Group[] }
  | { type: 'warm-up' }
  | { type: 'load'; rate: number; seconds: number; inFlight: number }
  | { type: 'stop' };

export interface SentMessage {
  messageId: string;
  conversationId: string;
  started: number;
  finished: number;
}

export type ClientReply =
  | { type: 'opened' }
  | { type: 'warmed-up'; seconds: number }
  | {
      type: 'loaded';
      sent: SentMessage[];
      failures: number;
      seconds: number;
      /** Message id → the times it reached each member's socket (the sender's included). */
      arrivals: [string, number[]][];
    }
  | { type: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();

const update = z.object({
  data: z.object({
    myConversationUpdates: z.object({
      kind: z.string(),
      message: z.object({ id: z.string(), text: z.string().nullable() }).nullable(),
    }),
  }),
});

let baseUrl = '';
let groups: Group[] = [];
const clients: ReturnType<typeof createClient>[] = [];
const arrivals = new Map<string, number[]>();

const reply = (message: ClientReply) => process.send?.(message);

async function send(token: string, conversationId: string, text: string): Promise<string> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation ($c: ID!, $t: String, $k: String) {
        sendChatMessage(conversationId: $c, text: $t, idempotencyKey: $k) { id } }`,
      variables: { c: conversationId, t: text, k: crypto.randomUUID() },
    }),
  });
  const body = z
    .object({ data: z.object({ sendChatMessage: z.object({ id: z.string() }) }).nullable() })
    .parse(await response.json());
  if (!body.data) throw new Error(`send refused: HTTP ${response.status}`);
  return body.data.sendChatMessage.id;
}

function open() {
  const wsUrl = `${baseUrl.replace('http', 'ws')}/graphql`;
  for (const group of groups) {
    for (const token of group.tokens) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      client.subscribe(
        { query: 'subscription { myConversationUpdates { kind message { id text } } }' },
        {
          next(value) {
            const at = now();
            const { kind, message } = update.parse(value).data.myConversationUpdates;
            if (kind !== 'MESSAGE_SENT' || !message) return;
            const seen = arrivals.get(message.id) ?? [];
            seen.push(at);
            arrivals.set(message.id, seen);
          },
          error(error) {
            console.error('subscription failed', error);
          },
          complete() {},
        },
      );
      clients.push(client);
    }
  }
}

/**
 * One message per conversation until every member's socket has seen its conversation's: graphql-ws
 * says nothing when a subscription starts, a delivered message proves it has.
 */
async function warmUp(): Promise<number> {
  const started = now();
  const members = groups.reduce((sum, group) => sum + group.tokens.length, 0);
  for (let attempt = 0; attempt < 30; attempt++) {
    arrivals.clear();
    const ids = await Promise.all(
      groups.map((group) => send(group.tokens[0] ?? '', group.conversationId, 'warm-up')),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const seen = ids.reduce((sum, id) => sum + (arrivals.get(id)?.length ?? 0), 0);
    if (seen >= members) {
      arrivals.clear();
      return (now() - started) / 1000;
    }
  }
  throw new Error('not every socket receives messages after 30 attempts');
}

/** Open loop: a send is due every 1/rate s, at most `inFlight` at once (a late one is counted late). */
async function load(rate: number, seconds: number, inFlight: number) {
  arrivals.clear();
  const sent: SentMessage[] = [];
  let failures = 0;
  const pending = new Set<Promise<void>>();
  const started = now();
  for (let n = 0; n < rate * seconds; n++) {
    const wait = started + (n * 1000) / rate - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (pending.size >= inFlight) await Promise.race(pending);
    const group = groups[n % groups.length];
    const token = group?.tokens[Math.floor(Math.random() * group.tokens.length)];
    if (!group || !token) continue;
    const at = now();
    const attempt = send(token, group.conversationId, `message ${n}`)
      .then((messageId) => {
        sent.push({ messageId, conversationId: group.conversationId, started: at, finished: now() });
      })
      .catch((error: unknown) => {
        failures++;
        if (failures <= 3) console.error('send failed', error);
      })
      .finally(() => pending.delete(attempt));
    pending.add(attempt);
  }
  await Promise.all(pending);
  const elapsed = (now() - started) / 1000;
  // Deliveries still on their way.
  await new Promise((r) => setTimeout(r, 3_000));
  return { sent, failures, seconds: elapsed };
}

process.on('message', (raw: ClientRequest) => {
  const handle = async (): Promise<ClientReply | undefined> => {
    switch (raw.type) {
      case 'open':
        baseUrl = raw.baseUrl;
        groups = raw.groups;
        open();
        return { type: 'opened' };
      case 'warm-up':
        return { type: 'warmed-up', seconds: await warmUp() };
      case 'load': {
        const result = await load(raw.rate, raw.seconds, raw.inFlight);
        return { type: 'loaded', ...result, arrivals: [...arrivals] };
      }
      case 'stop':
        await Promise.all(clients.map((client) => client.dispose()));
        process.exit(0);
    }
  };
  handle()
    .then((message) => message && reply(message))
    .catch((error: unknown) => reply({ type: 'failed', error: String(error) }));
});
