import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/ai/circuit-breaker.ts';
import { AiProviderError } from '../../src/ai/errors.ts';
import { createLocalProvider } from '../../src/ai/local-provider.ts';
import type { MentorChatInput } from '../../src/ai/mentor-chat.ts';
import { OpenAiProvider, type OpenAiProviderOptions } from '../../src/ai/openai-provider.ts';
import { type OpenAiTestServer, startOpenAiTestServer, TEST_MODEL } from '../support/openai-test-server.ts';

const INPUT: MentorChatInput = {
  persona: {
    key: 'b2b-saas',
    title: 'B2B SaaS mentor',
    opening: 'For a B2B product, everything starts with the customer.',
    questions: ['Which three customers would pay today?', 'How will you know they get value?'],
  },
  system: 'You are Abiah, a B2B SaaS mentor.\n\nGoals:\n- Sign three design partners',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello, what are you building?' },
    { role: 'user', content: 'An invoicing tool for agencies. How do I price it?' },
  ],
};

/** The call's AiProviderError (fails the test if it resolved or threw something else). */
async function failure(call: Promise<unknown>): Promise<AiProviderError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AiProviderError))
    throw new Error(`Expected an AiProviderError, got ${String(error)}`);
  return error;
}

describe('the mentor reply, streamed from an OpenAI-compatible server', () => {
  let server: OpenAiTestServer;

  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const provider = (options: Partial<OpenAiProviderOptions> = {}) =>
    new OpenAiProvider({
      apiKey: 'sk-test',
      baseUrl: server.baseUrl,
      timeoutMs: 300,
      maxAttempts: 3,
      baseDelayMs: 5,
      maxDelayMs: 20,
      random: () => 0.5,
      circuitBreaker: new CircuitBreaker({ failureThreshold: 50, coolDownMs: 10_000 }),
      ...options,
    });

  it('passes each piece on in order as it arrives, and returns the whole text with the usage', async () => {
    const chunks = ['Price ', 'on the value ', 'an agency gets: ', 'hours saved per invoice.'];
    server.script({
      kind: 'stream',
      chunks,
      chunkDelayMs: 20,
      usage: { prompt_tokens: 120, completion_tokens: 14, total_tokens: 134 },
    });
    const deltas: { text: string; atMs: number }[] = [];
    const started = performance.now();

    const result = await provider().mentorReply(INPUT, {
      onDelta: (text) => deltas.push({ text, atMs: performance.now() - started }),
    });

    expect(deltas.map((d) => d.text)).toEqual(chunks);
    // Streamed, not buffered: the first piece came well before the last.
    expect((deltas.at(-1)?.atMs ?? 0) - (deltas[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(40);
    expect(result).toMatchObject({
      output: { text: chunks.join('') },
      usage: { promptTokens: 120, completionTokens: 14, totalTokens: 134 },
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      attempts: 1,
    });
  });

  it('sends the system prompt and the conversation, asking to stream with usage', async () => {
    server.script({ kind: 'stream', chunks: ['Ok.'] });
    await provider().mentorReply(INPUT, { onDelta: () => {} });
    expect(server.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'system', content: INPUT.system }, ...INPUT.messages],
    });
  });

  it('retries a failure that happens before any piece was passed on', async () => {
    server.script(
      { kind: 'rate_limited' },
      { kind: 'error', status: 503 },
      { kind: 'stream', chunks: ['Fine.'] },
    );
    const deltas: string[] = [];
    const result = await provider().mentorReply(INPUT, { onDelta: (text) => deltas.push(text) });
    expect(deltas).toEqual(['Fine.']);
    expect(result.attempts).toBe(3);
  });

  it('maps failures to codes: unavailable after retries, a rejected key at once', async () => {
    server.setDefault({ kind: 'error', status: 500 });
    const unavailable = await failure(provider().mentorReply(INPUT, { onDelta: () => {} }));
    expect(unavailable).toMatchObject({ code: 'AI_UNAVAILABLE', attempts: 3 });

    server.reset();
    server.script({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    const rejected = await failure(provider().mentorReply(INPUT, { onDelta: () => {} }));
    expect(rejected).toMatchObject({ code: 'AI_FAILED', attempts: 1 });
  });

  it('does not retry once pieces went out: a stream cut mid-reply fails the call', async () => {
    server.script(
      { kind: 'stream', chunks: ['One ', 'two ', 'three'], cutAfter: 2 },
      { kind: 'stream', chunks: ['Again'] },
    );
    const deltas: string[] = [];
    const error = await failure(provider().mentorReply(INPUT, { onDelta: (text) => deltas.push(text) }));
    expect(deltas).toEqual(['One ', 'two ']);
    expect(['AI_UNAVAILABLE', 'AI_FAILED']).toContain(error.code);
    expect(error.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a stream that goes quiet, and keeps one that is merely long', async () => {
    server.script({ kind: 'stream', chunks: ['a', 'b'], chunkDelayMs: 1_000 });
    const quiet = await failure(provider({ maxAttempts: 1 }).mentorReply(INPUT, { onDelta: () => {} }));
    expect(quiet.code).toBe('AI_TIMEOUT');

    // Eight pieces 100 ms apart: longer than the 300 ms timeout in all, never quiet for that long.
    const chunks = Array.from({ length: 8 }, (_, i) => `${i} `);
    server.script({ kind: 'stream', chunks, chunkDelayMs: 100 });
    const long = await provider({ maxAttempts: 1 }).mentorReply(INPUT, { onDelta: () => {} });
    expect(long.output.text).toBe(chunks.join(''));
  });

  it('reports a refusal as AI_REFUSED', async () => {
    server.script({ kind: 'refusal', refusal: 'I cannot help with that.' });
    const error = await failure(provider().mentorReply(INPUT, { onDelta: () => {} }));
    expect(error.code).toBe('AI_REFUSED');
  });
});

describe('the local mentor', () => {
  it('writes a deterministic, plainly labelled reply from the persona and the last message, in pieces', async () => {
    const local = createLocalProvider();
    const first: string[] = [];
    const second: string[] = [];
    const result = await local.mentorReply(INPUT, { onDelta: (text) => first.push(text) });
    await local.mentorReply(INPUT, { onDelta: (text) => second.push(text) });

    expect(first.length).toBeGreaterThanOrEqual(3);
    expect(first.join('')).toBe(result.output.text);
    expect(second).toEqual(first);
    expect(result).toMatchObject({ provider: 'local', label: 'local-template', attempts: 1 });
    expect(result.output.text).toContain('local template: no AI model is configured');
    expect(result.output.text).toContain(INPUT.persona.opening);
    expect(result.output.text).toContain('An invoicing tool for agencies. How do I price it?');
  });

  it('stops when cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    const error = await failure(
      createLocalProvider().mentorReply(INPUT, { signal: abort.signal, onDelta: () => {} }),
    );
    expect(error.code).toBe('AI_FAILED');
  });
});
