import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CircuitBreaker } from '../../../src/ai/circuit-breaker.ts';
import { OpenAiProvider } from '../../../src/ai/openai-provider.ts';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { conversationAggregate } from '../../../src/domain/mentorship/conversation-decider.ts';
import { mentorConversationStream } from '../../../src/domain/mentorship/streams.ts';
import {
  type OpenAiTestServer,
  startOpenAiTestServer,
  TEST_MODEL,
} from '../../support/openai-test-server.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

const START = `mutation ($persona: MentorPersona!) { startConversation(persona: $persona) { id persona learnerId } }`;
const SEND = `mutation ($id: ID!, $text: String!) {
  sendMentorMessage(conversationId: $id, text: $text) { conversationId replyId message { id role text replyId replyStatus } } }`;
const RETRY = `mutation ($id: ID!) { retryMentorReply(conversationId: $id) { replyId message { id text } } }`;
const CONVERSATION = `query ($id: ID!) { conversation(id: $id) { id persona pendingReplyId
  messages(last: 50) { totalCount nodes { id role text replyId replyStatus failureCode replyTo provider model label totalTokens } } } }`;
const MINE = `query ($first: Int, $after: String) { myConversations(first: $first, after: $after) {
  totalCount nodes { id persona } pageInfo { hasNextPage endCursor } } }`;
const UPSERT_LEARNER = `mutation ($input: LearnerProfileInput!) { upsertLearnerProfile(input: $input) { goals } }`;
const FORGET = `mutation ($id: ID) { forgetUser(userId: $id) { userId } }`;
const REPLIES = `subscription ($id: ID!) { mentorReply(conversationId: $id) { conversationId replyId delta text done failed errorCode } }`;

interface Update {
  conversationId: string;
  replyId: string;
  delta: string | null;
  text: string | null;
  done: boolean;
  failed: boolean;
  errorCode: string | null;
}
interface Message {
  id: string;
  role: string;
  text: string | null;
  replyId: string | null;
  replyStatus: string | null;
  failureCode: string | null;
  replyTo: string | null;
  provider: string | null;
  model: string | null;
  label: string | null;
  totalTokens: number | null;
}
interface Sent {
  conversationId: string;
  replyId: string;
  message: { id: string; role: string; text: string; replyId: string; replyStatus: string };
}

const GOAL = 'Sign three design partners for our card-issuing API before October';

/** One API (with its projector, a WebSocket endpoint and subscription metrics) per provider. */
interface Api {
  api: IdentityApp;
  metrics: Registry;
  url: string;
}

const clients: TestClient[] = [];
const apis: IdentityApp[] = [];
let server: OpenAiTestServer;
let local: Api;
let openai: Api;

async function startApi(ai?: OpenAiProvider): Promise<Api> {
  const metrics = new Registry();
  const api = await startIdentityApp({ metrics, ...(ai ? { ai } : {}) });
  apis.push(api);
  return { api, metrics, url: await graphqlWsUrl(api.app) };
}

beforeAll(async () => {
  server = await startOpenAiTestServer();
  [local, openai] = await Promise.all([
    startApi(),
    startApi(
      new OpenAiProvider({
        apiKey: 'sk-test',
        baseUrl: server.baseUrl,
        timeoutMs: 5_000,
        maxAttempts: 1,
        circuitBreaker: new CircuitBreaker({ failureThreshold: 100, coolDownMs: 1_000 }),
      }),
    ),
  ]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all(apis.map((api) => api.close()));
  await server?.close();
});

/** Subscribes to the conversation's replies and waits until the server serves the subscription. */
async function follow(target: Api, user: TestUser, conversationId: string) {
  const before = await openSubscriptions(target.metrics);
  const client = connect(target.url, user.accessToken);
  clients.push(client);
  const replies = subscribe<Update>(client, 'mentorReply', REPLIES, { id: conversationId });
  await expect.poll(() => openSubscriptions(target.metrics), { timeout: 5_000 }).toBe(before + 1);
  return replies;
}

async function openSubscriptions(metrics: Registry): Promise<number> {
  const gauge = await metrics.getSingleMetric('chronicle_subscriptions_open')?.get();
  return gauge?.values[0]?.value ?? 0;
}

async function startConversation(target: Api, user: TestUser, persona: string): Promise<string> {
  return fieldOf<{ id: string }>(
    await target.api.gql(START, { persona }, user.accessToken),
    'startConversation',
  ).id;
}

async function send(target: Api, user: TestUser, id: string, text: string): Promise<Sent> {
  return fieldOf<Sent>(await target.api.gql(SEND, { id, text }, user.accessToken), 'sendMentorMessage');
}

async function messagesOf(target: Api, user: TestUser, id: string): Promise<Message[]> {
  const conversation = fieldOf<{ messages: { nodes: Message[] } }>(
    await target.api.gql(CONVERSATION, { id }, user.accessToken),
    'conversation',
  );
  return conversation.messages.nodes;
}

async function upsertLearnerProfile(target: Api, user: TestUser) {
  const input = {
    goals: [GOAL],
    subjects: ['payments'],
    preferredStyle: 'hands-on',
    languages: ['en'],
    availability: [{ day: 0, start: '18:00', end: '20:00' }],
    timeZone: 'Europe/Lisbon',
  };
  const profile = fieldOf<{ goals: string[] }>(
    await target.api.gql(UPSERT_LEARNER, { input }, user.accessToken),
    'upsertLearnerProfile',
  );
  expect(profile.goals).toEqual([GOAL]);
}

const ended = (replies: { values: Update[] }, replyId: string) =>
  replies.values.find((update) => update.replyId === replyId && update.done);

describe('the AI mentor over GraphQL', () => {
  it('streams a local-template reply as it is written, then the whole stored reply', async () => {
    const learner = await registerAndSignIn(local.api);
    const id = await startConversation(local, learner, 'general');
    const replies = await follow(local, learner, id);

    const sent = await send(local, learner, id, '  How should I plan my first month learning Rust?  ');
    expect(sent.message).toMatchObject({
      role: 'learner',
      text: 'How should I plan my first month learning Rust?',
      replyId: sent.replyId,
    });

    await expect.poll(() => ended(replies, sent.replyId), { timeout: 10_000 }).toBeTruthy();
    const updates = replies.values.filter((update) => update.replyId === sent.replyId);
    const pieces = updates.filter((update) => !update.done);
    const final = updates.at(-1);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(pieces.map((p) => p.text)).toEqual(
      pieces.map((_, i) =>
        pieces
          .slice(0, i + 1)
          .map((p) => p.delta)
          .join(''),
      ),
    );
    expect(final).toMatchObject({ done: true, failed: false, delta: null, conversationId: id });
    expect(final?.text).toBe(pieces.map((p) => p.delta).join(''));

    const messages = await messagesOf(local, learner, id);
    expect(messages.map((m) => [m.role, m.replyStatus])).toEqual([
      ['learner', 'replied'],
      ['mentor', null],
    ]);
    expect(messages[1]).toMatchObject({
      id: sent.replyId,
      replyTo: sent.message.id,
      text: final?.text,
      provider: 'local',
      label: 'local_template',
    });
    expect(messages[1]?.text).toContain('no AI model is configured');
  });

  it('sends the model the learner’s goals and the persona, and stores what it streamed', async () => {
    const learner = await registerAndSignIn(openai.api);
    await upsertLearnerProfile(openai, learner);
    const id = await startConversation(openai, learner, 'fintech');
    const replies = await follow(openai, learner, id);
    const chunks = ['Start with ', 'the processors ', 'you already use, ', 'then ask for intros.'];
    server.script({
      kind: 'stream',
      chunks,
      chunkDelayMs: 30,
      usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 },
    });
    const requestsBefore = server.requests.length;

    const sent = await send(openai, learner, id, 'How do I find a sponsor bank?');
    await expect.poll(() => ended(replies, sent.replyId), { timeout: 10_000 }).toBeTruthy();

    const updates = replies.values.filter((update) => update.replyId === sent.replyId);
    expect(updates.filter((u) => !u.done).map((u) => u.delta)).toEqual(chunks);
    expect(updates.at(-1)).toMatchObject({ done: true, failed: false, text: chunks.join('') });
    const [, reply] = await messagesOf(openai, learner, id);
    expect(reply).toMatchObject({
      role: 'mentor',
      text: chunks.join(''),
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      totalTokens: 920,
    });

    const request = server.requests[requestsBefore]?.body as {
      messages: { role: string; content: string }[];
    };
    const [system, ...conversation] = request.messages;
    expect(system?.role).toBe('system');
    expect(system?.content).toContain(GOAL);
    expect(system?.content).toContain('KYC/AML');
    expect(system?.content).toContain('Preferred teaching style: hands-on');
    expect(conversation).toEqual([{ role: 'user', content: 'How do I find a sponsor bank?' }]);
  });

  it('refuses a second message while the reply is being written, then takes it', async () => {
    const learner = await registerAndSignIn(openai.api);
    const id = await startConversation(openai, learner, 'b2b_saas');
    const replies = await follow(openai, learner, id);
    server.script({ kind: 'stream', chunks: ['Talk ', 'to ', 'customers.'], chunkDelayMs: 150 });

    const first = await send(openai, learner, id, 'Where do I start?');
    const refused = await openai.api.gql(SEND, { id, text: 'Hello?' }, learner.accessToken);
    expect(errorCodes(refused)).toEqual(['CONFLICT/MENTOR_REPLY_PENDING']);

    await expect.poll(() => ended(replies, first.replyId), { timeout: 10_000 }).toBeTruthy();
    server.script({ kind: 'stream', chunks: ['Yes, ', 'still here.'] });
    const second = await send(openai, learner, id, 'Hello?');
    await expect.poll(() => ended(replies, second.replyId), { timeout: 10_000 }).toBeTruthy();
    const messages = await messagesOf(openai, learner, id);
    expect(messages.map((m) => m.text)).toEqual([
      'Where do I start?',
      'Talk to customers.',
      'Hello?',
      'Yes, still here.',
    ]);
  });

  it('records a provider failure with its code, and a retry answers the same message', async () => {
    const learner = await registerAndSignIn(openai.api);
    const id = await startConversation(openai, learner, 'healthtech');
    const replies = await follow(openai, learner, id);
    server.script({ kind: 'error', status: 401, message: 'Incorrect API key provided' });

    const sent = await send(openai, learner, id, 'Do I need FDA clearance for a symptom tracker?');
    await expect.poll(() => ended(replies, sent.replyId), { timeout: 10_000 }).toBeTruthy();
    expect(ended(replies, sent.replyId)).toMatchObject({ done: true, failed: true, errorCode: 'AI_FAILED' });
    expect(await messagesOf(openai, learner, id)).toEqual([
      expect.objectContaining({ id: sent.message.id, replyStatus: 'failed', failureCode: 'AI_FAILED' }),
    ]);

    server.script({ kind: 'stream', chunks: ['It depends ', 'on your claims.'] });
    const retried = fieldOf<{ replyId: string; message: { id: string } }>(
      await openai.api.gql(RETRY, { id }, learner.accessToken),
      'retryMentorReply',
    );
    expect(retried.message.id).toBe(sent.message.id);
    await expect.poll(() => ended(replies, retried.replyId), { timeout: 10_000 }).toBeTruthy();
    const messages = await messagesOf(openai, learner, id);
    expect(messages.map((m) => [m.role, m.text, m.replyStatus])).toEqual([
      ['learner', 'Do I need FDA clearance for a symptom tracker?', 'replied'],
      ['mentor', 'It depends on your claims.', null],
    ]);
    const again = await openai.api.gql(RETRY, { id }, learner.accessToken);
    expect(errorCodes(again)).toEqual(['CONFLICT/NOTHING_TO_RETRY']);
  });

  it('shows a conversation to its learner and admins only, and lists the learner’s own', async () => {
    const learner = await registerAndSignIn(local.api);
    const stranger = await registerAndSignIn(local.api);
    const admin = await makeAdmin(local.api);
    const ids = [
      await startConversation(local, learner, 'general'),
      await startConversation(local, learner, 'fintech'),
      await startConversation(local, learner, 'b2b_saas'),
    ];
    expect(
      (await local.api.gql(CONVERSATION, { id: ids[0] }, stranger.accessToken)).data?.conversation,
    ).toBeNull();
    expect(
      fieldOf<{ id: string }>(
        await local.api.gql(CONVERSATION, { id: ids[0] }, admin.accessToken),
        'conversation',
      ).id,
    ).toBe(ids[0]);
    const refused = await local.api.gql(SEND, { id: ids[0], text: 'Hi' }, admin.accessToken);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/NOT_CONVERSATION_LEARNER']);

    const firstPage = fieldOf<{
      totalCount: number;
      nodes: { id: string; persona: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    }>(await local.api.gql(MINE, { first: 2 }, learner.accessToken), 'myConversations');
    const secondPage = fieldOf<{ nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } }>(
      await local.api.gql(MINE, { first: 2, after: firstPage.pageInfo.endCursor }, learner.accessToken),
      'myConversations',
    );
    expect(firstPage.totalCount).toBe(3);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    expect([...firstPage.nodes, ...secondPage.nodes].map((c) => c.id)).toEqual([...ids].reverse());
    expect(firstPage.nodes[0]?.persona).toBe('b2b_saas');
    expect(secondPage.pageInfo.hasNextPage).toBe(false);
  });

  it('erases the texts of a forgotten learner’s conversations', async () => {
    const learner = await registerAndSignIn(local.api);
    const admin = await makeAdmin(local.api);
    const id = await startConversation(local, learner, 'general');
    const replies = await follow(local, learner, id);
    const sent = await send(local, learner, id, 'My startup is called Acme Health.');
    await expect.poll(() => ended(replies, sent.replyId), { timeout: 10_000 }).toBeTruthy();
    expect((await messagesOf(local, admin, id)).map((m) => m.text === null)).toEqual([false, false]);

    fieldOf(await local.api.gql(FORGET, { id: learner.id }, learner.accessToken), 'forgetUser');

    await expect
      .poll(async () => (await messagesOf(local, admin, id)).map((m) => m.text), { timeout: 5_000 })
      .toEqual([null, null]);
  });
});

describe('the AI mentor across API processes and at shutdown', () => {
  it('streams a reply written by one API process to a subscriber on another (Redis)', async (context) => {
    const redisUrl = inject('redisUrl');
    if (!redisUrl) return context.skip();
    const metricsA = new Registry();
    const a = await startIdentityApp({ metrics: metricsA, changeBusRedisUrl: redisUrl });
    apis.push(a);
    const metricsB = new Registry();
    const b = await startIdentityApp({
      metrics: metricsB,
      databaseUrl: a.databaseUrl,
      changeBusRedisUrl: redisUrl,
      projector: false,
    });
    apis.push(b);
    const apiA: Api = { api: a, metrics: metricsA, url: await graphqlWsUrl(a.app) };
    const apiB: Api = { api: b, metrics: metricsB, url: await graphqlWsUrl(b.app) };
    const learner = await registerAndSignIn(apiA.api);
    const id = await startConversation(apiA, learner, 'general');
    const replies = await follow(apiB, learner, id);

    const sent = await send(apiA, learner, id, 'What should I learn first?');
    await expect.poll(() => ended(replies, sent.replyId), { timeout: 10_000 }).toBeTruthy();
    const updates = replies.values.filter((update) => update.replyId === sent.replyId);
    expect(updates.filter((u) => !u.done).length).toBeGreaterThanOrEqual(2);
    const [, reply] = await messagesOf(apiB, learner, id);
    expect(updates.at(-1)?.text).toBe(reply?.text);
  });

  it('stops a reply being written when the API closes, and records why', async () => {
    const api = await startApi(
      new OpenAiProvider({ apiKey: 'sk-test', baseUrl: server.baseUrl, timeoutMs: 5_000, maxAttempts: 1 }),
    );
    const learner = await registerAndSignIn(api.api);
    const id = await startConversation(api, learner, 'general');
    server.script({ kind: 'stream', chunks: ['Slowly ', 'but ', 'surely.'], chunkDelayMs: 2_000 });
    const requestsBefore = server.requests.length;
    const sent = await send(api, learner, id, 'Tell me everything.');
    // The model has been asked: the reply is being written.
    await expect.poll(() => server.requests.length, { timeout: 5_000 }).toBe(requestsBefore + 1);

    await api.api.app.close();

    const { events } = await loadAggregate(
      api.api.runtime,
      conversationAggregate,
      mentorConversationStream(id),
    );
    expect(events.map((loaded) => loaded.event).at(-1)).toMatchObject({
      type: 'MentorReplyFailed',
      data: { replyId: sent.replyId, code: 'SHUTDOWN' },
    });
  });
});
