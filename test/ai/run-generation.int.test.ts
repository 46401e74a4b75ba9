import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { CircuitBreaker } from '../../src/ai/circuit-breaker.ts';
import { createLocalProvider } from '../../src/ai/local-provider.ts';
import { OpenAiProvider } from '../../src/ai/openai-provider.ts';
import type { AiProvider, MetadataInput } from '../../src/ai/provider.ts';
import { createEventCodec, type EventCodec } from '../../src/commands/event-codec.ts';
import { aiGenerationStream } from '../../src/domain/ai/streams.ts';
import { type Actor, actorId } from '../../src/domain/shared/decider.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { PostgresPersonalDataKeys } from '../../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { aiGenerationsProjection } from '../../src/projections/read-models/ai-generations.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { type AiDeps, runGeneration } from '../../src/services/ai/run-generation.ts';
import type { RequestContext } from '../../src/services/shared/command-context.ts';
import { freshDatabase } from '../support/database.ts';
import { type OpenAiTestServer, startOpenAiTestServer, TEST_MODEL } from '../support/openai-test-server.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');
const METADATA: MetadataInput = {
  title: 'Meet the Trailwise Ridge',
  text: 'Our lightest trail running shoe yet. It grips wet rock and dries in minutes.',
  language: 'en',
};
const METADATA_REPLY = {
  seoTitle: 'Trailwise Ridge: our lightest trail shoe',
  seoDescription: 'Grips wet rock, dries in minutes.',
  keywords: ['trail running shoe'],
};

describe('runGeneration', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let projector: Projector;
  let server: OpenAiTestServer;
  const bus = new InProcessChangeBus();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let codec: EventCodec;

  beforeAll(async () => {
    const url = await freshDatabase('ai');
    pool = new pg.Pool({ connectionString: url, max: 8 });
    codec = createEventCodec(new PostgresPersonalDataKeys(pool));
    store = new PostgresEventStore({ connectionString: url, pool, log, pollIntervalMs: 100 });
    projector = new Projector({ store, pool, bus, log }, [aiGenerationsProjection(codec)], {
      batchSize: 100,
      backoffMs: 50,
      maxBackoffMs: 200,
    });
    await projector.start();
    server = await startOpenAiTestServer();
  });
  afterAll(async () => {
    await projector?.stop();
    await server?.close();
    await store?.close();
    await pool?.end();
  });
  beforeEach(() => server.reset());

  const deps = (ai: AiProvider): AiDeps => ({ store, codec, log, clock: () => NOW, ai });
  const model = () =>
    new OpenAiProvider({
      apiKey: 'sk-test',
      baseUrl: server.baseUrl,
      timeoutMs: 500,
      maxAttempts: 2,
      baseDelayMs: 5,
      maxDelayMs: 10,
      random: () => 0,
      circuitBreaker: new CircuitBreaker({ failureThreshold: 100, coolDownMs: 1_000 }),
    });
  const user = (): Actor => ({ kind: 'user', userId: randomUUID(), role: 'user' });
  const asUser = (actor: Actor = user()): RequestContext => ({ actor, correlationId: randomUUID() });

  const eventsOf = async (requestId: string) => store.readStream(aiGenerationStream(requestId));
  const rowOf = async (requestId: string) => {
    const events = await eventsOf(requestId);
    const position = events.at(-1)?.position;
    if (position === undefined) throw new Error('no events');
    expect(
      await waitForPosition(pool, bus, position, { timeoutMs: 5_000, projections: ['ai_generations'] }),
    ).toBe(true);
    const { rows } = await pool.query('select * from ai_generations where request_id = $1', [requestId]);
    return rows[0];
  };
  const rejection = (call: Promise<unknown>) =>
    call.then(
      () => {
        throw new Error('expected the generation to fail');
      },
      (error: unknown) => error,
    );

  it('records the request and its completion with tokens, duration and attempts, and returns the output', async () => {
    const requestId = randomUUID();
    const brandId = randomUUID();
    const context = asUser();
    server.script({ kind: 'error', status: 502 }, { kind: 'json', content: METADATA_REPLY });

    const generation = await runGeneration(deps(model()), {
      requestId,
      kind: 'metadata',
      input: METADATA,
      brandId,
      contentId: null,
      context,
    });

    expect(generation).toMatchObject({
      requestId,
      kind: 'metadata',
      output: METADATA_REPLY,
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      usage: { promptTokens: 11, completionTokens: 7, totalTokens: 18 },
      attempts: 2,
      replayed: false,
    });
    const events = await eventsOf(requestId);
    expect(events.map((event) => [event.type, event.data])).toEqual([
      [
        'AIGenerationRequested',
        {
          requestId,
          kind: 'metadata',
          brandId,
          contentId: null,
          requestedBy: actorId(context.actor),
          provider: 'openai-compatible',
          model: 'gpt-4o-mini',
          at: NOW.toISOString(),
        },
      ],
      [
        'AIGenerationCompleted',
        {
          requestId,
          provider: 'openai-compatible',
          model: TEST_MODEL,
          label: 'model',
          promptTokens: 11,
          completionTokens: 7,
          totalTokens: 18,
          durationMs: generation.durationMs,
          attempts: 2,
          output: METADATA_REPLY,
          at: NOW.toISOString(),
        },
      ],
    ]);
    expect(events.every((event) => event.metadata.correlationId === context.correlationId)).toBe(true);
    expect(await rowOf(requestId)).toMatchObject({
      request_id: requestId,
      kind: 'metadata',
      brand_id: brandId,
      content_id: null,
      status: 'completed',
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      duration_ms: generation.durationMs,
      attempts: 2,
      error_code: null,
      requested_at: NOW,
      completed_at: NOW,
    });
  });

  it('records what the local templates wrote as such', async () => {
    const requestId = randomUUID();

    const generation = await runGeneration(deps(createLocalProvider()), {
      requestId,
      kind: 'titles',
      input: { text: METADATA.text, count: 3 },
      context: asUser(),
    });

    expect(generation).toMatchObject({ provider: 'local', model: 'templates-v1', label: 'local-template' });
    expect(generation.output.titles).toHaveLength(3);
    expect(await rowOf(requestId)).toMatchObject({
      kind: 'titles',
      status: 'completed',
      label: 'local-template',
      total_tokens: 0,
      duration_ms: 0,
      attempts: 1,
    });
  });

  it('records a failure with its code and attempts, and throws it as a domain error', async () => {
    const requestId = randomUUID();
    server.setDefault({ kind: 'error', status: 500 });

    const error = await rejection(
      runGeneration(deps(model()), { requestId, kind: 'metadata', input: METADATA, context: asUser() }),
    );

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'AI_UNAVAILABLE',
      details: { aiCode: 'AI_UNAVAILABLE', attempts: 2 },
    });
    const events = await eventsOf(requestId);
    expect(events.map((event) => event.type)).toEqual(['AIGenerationRequested', 'AIGenerationFailed']);
    expect(events[1]?.data).toMatchObject({
      requestId,
      provider: 'openai-compatible',
      model: 'gpt-4o-mini',
      errorCode: 'AI_UNAVAILABLE',
      attempts: 2,
      at: NOW.toISOString(),
    });
    expect(await rowOf(requestId)).toMatchObject({
      status: 'failed',
      error_code: 'AI_UNAVAILABLE',
      attempts: 2,
      label: null,
      completed_at: NOW,
    });
  });

  it('turns a refusal into a VALIDATION error', async () => {
    server.script({ kind: 'refusal', refusal: 'I cannot help with that.' });

    const error = await rejection(
      runGeneration(deps(model()), {
        requestId: randomUUID(),
        kind: 'metadata',
        input: METADATA,
        context: asUser(),
      }),
    );

    expect(error).toMatchObject({ code: 'VALIDATION', reason: 'AI_REFUSED' });
  });

  it('returns the recorded output when a completed request is retried, without asking the provider again', async () => {
    const requestId = randomUUID();
    const context = asUser();
    const request = { requestId, kind: 'metadata' as const, input: METADATA, context };
    server.script({ kind: 'json', content: METADATA_REPLY });
    const first = await runGeneration(deps(model()), request);

    const again = await runGeneration(deps(model()), {
      ...request,
      context: { ...context, correlationId: randomUUID() },
    });

    expect(again).toEqual({ ...first, replayed: true });
    expect(server.requests).toHaveLength(1);
    expect(await eventsOf(requestId)).toHaveLength(2);
  });

  it('throws the recorded failure when a failed request is retried, appending nothing', async () => {
    const requestId = randomUUID();
    const context = asUser();
    server.setDefault({ kind: 'error', status: 500 });
    await rejection(runGeneration(deps(model()), { requestId, kind: 'metadata', input: METADATA, context }));
    server.reset();

    const error = await rejection(
      runGeneration(deps(model()), { requestId, kind: 'metadata', input: METADATA, context }),
    );

    expect(error).toMatchObject({ code: 'RATE_LIMITED', reason: 'AI_UNAVAILABLE' });
    expect(server.requests).toHaveLength(0);
    expect(await eventsOf(requestId)).toHaveLength(2);
  });

  it('appends each step once when the same request runs twice at the same time', async () => {
    const requestId = randomUUID();
    const context = asUser();
    const request = { requestId, kind: 'metadata' as const, input: METADATA, context };
    const ai = createLocalProvider();

    const [one, two] = await Promise.all([
      runGeneration(deps(ai), request),
      runGeneration(deps(ai), request),
    ]);

    expect(one.output).toEqual(two.output);
    expect((await eventsOf(requestId)).map((event) => event.type)).toEqual([
      'AIGenerationRequested',
      'AIGenerationCompleted',
    ]);
  });

  it('refuses a request id reused for another kind, or by someone else', async () => {
    const requestId = randomUUID();
    const context = asUser();
    await runGeneration(deps(createLocalProvider()), {
      requestId,
      kind: 'metadata',
      input: METADATA,
      context,
    });

    const otherKind = await rejection(
      runGeneration(deps(createLocalProvider()), {
        requestId,
        kind: 'titles',
        input: { text: 'Trail shoes', count: 2 },
        context,
      }),
    );
    expect(otherKind).toMatchObject({ code: 'CONFLICT', reason: 'AI_REQUEST_ID_REUSED' });

    const someoneElse = await rejection(
      runGeneration(deps(createLocalProvider()), {
        requestId,
        kind: 'metadata',
        input: METADATA,
        context: asUser(),
      }),
    );
    expect(someoneElse).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_REQUESTER' });
    expect(await eventsOf(requestId)).toHaveLength(2);
  });

  it('validates the input before recording anything', async () => {
    const requestId = randomUUID();

    const error = await rejection(
      runGeneration(deps(createLocalProvider()), {
        requestId,
        kind: 'titles',
        input: { text: 'Trail shoes', count: 11 },
        context: asUser(),
      }),
    );

    expect(error).toBeInstanceOf(ZodError);
    await expect(eventsOf(requestId)).rejects.toThrow();
  });
});
