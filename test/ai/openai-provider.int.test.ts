import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/ai/circuit-breaker.ts';
import { createAiProvider } from '../../src/ai/create-ai-provider.ts';
import { AiProviderError } from '../../src/ai/errors.ts';
import { OpenAiProvider, type OpenAiProviderOptions } from '../../src/ai/openai-provider.ts';
import type { ContentInput, MetadataInput } from '../../src/ai/provider.ts';
import {
  DEFAULT_USAGE,
  type OpenAiTestServer,
  startOpenAiTestServer,
  TEST_MODEL,
} from '../support/openai-test-server.ts';

const METADATA: MetadataInput = {
  title: 'Meet the Trailwise Ridge',
  text: 'Our lightest trail running shoe yet. It grips wet rock and dries in minutes.',
  language: 'en-GB',
};
const METADATA_REPLY = {
  seoTitle: 'Trailwise Ridge: our lightest trail shoe',
  seoDescription: 'Grips wet rock, dries in minutes.',
  keywords: ['trail running shoe', 'trailwise'],
};

const CONTENT: ContentInput = {
  brand: {
    name: 'Trailwise',
    toneOfVoice: 'friendly',
    guardrails: ['No medical claims'],
    language: 'en-GB',
    country: 'GB',
  },
  template: {
    name: 'Launch',
    fields: [
      { key: 'body', label: 'Body', instructions: 'Two paragraphs' },
      { key: 'cta', label: 'Call to action', instructions: '' },
    ],
  },
  brief: 'Launch the Ridge shoe.',
};

/** Rejects with the AiProviderError the call threw. */
async function failure(call: Promise<unknown>): Promise<AiProviderError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AiProviderError))
    throw new Error(`Expected an AiProviderError, got ${String(error)}`);
  return error;
}

describe('OpenAI provider against an OpenAI-compatible server', () => {
  let server: OpenAiTestServer;
  const clock = { now: 0 };

  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    clock.now = 1_000_000;
  });

  const provider = (options: Partial<OpenAiProviderOptions> = {}) =>
    new OpenAiProvider({
      apiKey: 'sk-test',
      baseUrl: server.baseUrl,
      timeoutMs: 300,
      maxAttempts: 3,
      baseDelayMs: 5,
      maxDelayMs: 20,
      random: () => 0.5,
      circuitBreaker: new CircuitBreaker({ failureThreshold: 5, coolDownMs: 10_000, now: () => clock.now }),
      ...options,
    });

  it('returns the validated output with the token usage, the model that answered and one attempt', async () => {
    server.script({ kind: 'json', content: METADATA_REPLY });

    const result = await provider().generateMetadata(METADATA);

    expect(result).toMatchObject({
      output: METADATA_REPLY,
      usage: {
        promptTokens: DEFAULT_USAGE.prompt_tokens,
        completionTokens: DEFAULT_USAGE.completion_tokens,
        totalTokens: DEFAULT_USAGE.total_tokens,
      },
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      attempts: 1,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { name: 'seo_metadata', strict: true } },
    });
    // Strict mode rejects length keywords: the limits travel as descriptions instead.
    const sent = JSON.stringify(request?.body);
    expect(sent).not.toContain('maxLength');
    expect(sent).toContain('At least 1 and at most 60 characters.');
  });

  it('asks for exactly the template’s fields and returns them', async () => {
    server.script({ kind: 'json', content: { title: 'Ridge', fields: { body: 'Light.', cta: 'Run' } } });

    const result = await provider().generateContent(CONTENT);

    expect(result.output).toEqual({ title: 'Ridge', fields: { body: 'Light.', cta: 'Run' } });
    expect(server.requests[0]?.body).toMatchObject({
      response_format: {
        json_schema: {
          schema: { properties: { fields: { required: ['body', 'cta'], additionalProperties: false } } },
        },
      },
    });
  });

  it('shortens strings a little over their limit at a word boundary instead of failing', async () => {
    const long = 'Trailwise Ridge: the lightest trail running shoe we have ever made';
    server.script({ kind: 'json', content: { ...METADATA_REPLY, seoTitle: long } });

    const { output } = await provider().generateMetadata(METADATA);

    expect(output.seoTitle).toBe('Trailwise Ridge: the lightest trail running shoe we have');
    expect(output.seoTitle.length).toBeLessThanOrEqual(60);
  });

  it('derives a review’s verdict from its issues, whatever the model said', async () => {
    const issue = { kind: 'unapproved_claim', excerpt: 'Best shoe ever.', explanation: 'Superlative.' };
    server.script({ kind: 'json', content: { compliant: true, issues: [issue] } });

    const { output } = await provider().reviewClaims({
      text: 'Best shoe ever.',
      country: 'DE',
      guardrails: [],
      masterClaims: [{ claimId: 'C-1', text: 'Light' }],
    });

    expect(output).toEqual({ compliant: false, issues: [issue] });
    expect(JSON.stringify(server.requests[0]?.body)).toContain('[C-1] Light');
  });

  it('waits as long as Retry-After says after a 429, then succeeds on the next attempt', async () => {
    server.script({ kind: 'rate_limited', retryAfterSeconds: 1 }, { kind: 'json', content: METADATA_REPLY });

    const result = await provider().generateMetadata(METADATA);

    expect(result.attempts).toBe(2);
    const [first, second] = server.requests;
    expect((second?.receivedAtMs ?? 0) - (first?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After asks for longer than it will wait', async () => {
    server.script({ kind: 'rate_limited', retryAfterSeconds: 60 });

    const error = await failure(provider({ maxRetryAfterMs: 5_000 }).generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_RATE_LIMITED', attempts: 1, retryAfterMs: 60_000 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports AI_RATE_LIMITED when 429s outlast the retries', async () => {
    server.setDefault({ kind: 'rate_limited' });

    const error = await failure(provider().generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_RATE_LIMITED', attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries 500s with backoff and reports AI_UNAVAILABLE once the attempts are used up', async () => {
    server.setDefault({ kind: 'error', status: 500 });

    const error = await failure(provider({ maxAttempts: 3 }).generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_UNAVAILABLE', attempts: 3 });
    // Our retries only: the SDK's own are off, so three attempts are three requests.
    expect(server.requests).toHaveLength(3);
  });

  it('recovers when a 5xx is followed by a good answer', async () => {
    server.script({ kind: 'error', status: 503 }, { kind: 'json', content: METADATA_REPLY });

    const result = await provider().generateMetadata(METADATA);

    expect(result).toMatchObject({ output: METADATA_REPLY, attempts: 2 });
  });

  it('times out a slow answer (AI_TIMEOUT) after retrying it', async () => {
    server.setDefault({ kind: 'slow', delayMs: 2_000 });
    const started = performance.now();

    const error = await failure(provider({ timeoutMs: 200, maxAttempts: 2 }).generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_TIMEOUT', attempts: 2 });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a reply whose body never finishes, not only one whose headers are late', async () => {
    server.script({ kind: 'stalled_body' });

    const error = await failure(provider({ timeoutMs: 200, maxAttempts: 1 }).generateMetadata(METADATA));

    expect(error.code).toBe('AI_TIMEOUT');
  });

  it('reports a reply that is not JSON as AI_INVALID_OUTPUT, without retrying', async () => {
    server.script({ kind: 'invalid_json' });

    const error = await failure(provider().generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_INVALID_OUTPUT', attempts: 1 });
    expect(error.message).toContain('is not JSON');
    expect(server.requests).toHaveLength(1);
  });

  it('reports JSON that does not match the output schema as AI_INVALID_OUTPUT', async () => {
    server.script({ kind: 'json', content: { title: 'Ridge', fields: { body: 'Light.' } } });

    const error = await failure(provider().generateContent(CONTENT));

    expect(error.code).toBe('AI_INVALID_OUTPUT');
    expect(error.message).toContain('fields.cta');
  });

  it('reports a reply cut off at the token limit as AI_INVALID_OUTPUT', async () => {
    server.script({ kind: 'json', content: '{"seoTitle": "Trail', finishReason: 'length' });

    expect((await failure(provider().generateMetadata(METADATA))).code).toBe('AI_INVALID_OUTPUT');
  });

  it('reports a refusal as AI_REFUSED', async () => {
    server.script({ kind: 'refusal', refusal: 'I can’t help with that.' });

    const error = await failure(provider().generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_REFUSED', attempts: 1 });
    expect(error.message).toContain('I can’t help with that.');
  });

  it('does not retry a request the provider rejects (AI_FAILED)', async () => {
    server.script({ kind: 'error', status: 401, message: 'Incorrect API key provided' });

    const error = await failure(provider().generateMetadata(METADATA));

    expect(error).toMatchObject({ code: 'AI_FAILED', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  describe('circuit breaker', () => {
    const breakerFor = (failureThreshold: number) =>
      new CircuitBreaker({ failureThreshold, coolDownMs: 30_000, now: () => clock.now });

    it('opens after N consecutive failures and then stops calling the server', async () => {
      server.setDefault({ kind: 'error', status: 500 });
      const circuitBreaker = breakerFor(3);
      const ai = provider({ maxAttempts: 1, circuitBreaker });

      for (let call = 0; call < 3; call++) {
        expect((await failure(ai.generateMetadata(METADATA))).code).toBe('AI_UNAVAILABLE');
      }
      expect(circuitBreaker.state).toBe('open');
      expect(server.requests).toHaveLength(3);

      const refused = await failure(ai.generateMetadata(METADATA));
      expect(refused).toMatchObject({ code: 'AI_UNAVAILABLE', attempts: 0, retryAfterMs: 30_000 });
      expect(server.requests).toHaveLength(3);
    });

    it('stops retrying a call as soon as the circuit opens under it', async () => {
      server.setDefault({ kind: 'error', status: 502 });

      const error = await failure(
        provider({ maxAttempts: 5, circuitBreaker: breakerFor(2) }).generateMetadata(METADATA),
      );

      expect(error).toMatchObject({ code: 'AI_UNAVAILABLE', attempts: 2 });
      expect(server.requests).toHaveLength(2);
    });

    it('half-opens after the cool-down: a successful trial closes it again', async () => {
      server.setDefault({ kind: 'error', status: 500 });
      const circuitBreaker = breakerFor(2);
      const ai = provider({ maxAttempts: 1, circuitBreaker });
      await failure(ai.generateMetadata(METADATA));
      await failure(ai.generateMetadata(METADATA));
      expect(circuitBreaker.state).toBe('open');

      clock.now += 30_000;
      expect(circuitBreaker.state).toBe('half_open');
      server.script({ kind: 'json', content: METADATA_REPLY });
      const result = await ai.generateMetadata(METADATA);

      expect(result.output).toEqual(METADATA_REPLY);
      expect(circuitBreaker.state).toBe('closed');
      expect(server.requests).toHaveLength(3);
    });

    it('half-opens after the cool-down: a failed trial opens it for another cool-down', async () => {
      server.setDefault({ kind: 'error', status: 500 });
      const circuitBreaker = breakerFor(1);
      const ai = provider({ maxAttempts: 3, circuitBreaker });
      await failure(ai.generateMetadata(METADATA));

      clock.now += 30_000;
      const trial = await failure(ai.generateMetadata(METADATA));

      expect(trial).toMatchObject({ code: 'AI_UNAVAILABLE', attempts: 1 });
      expect(circuitBreaker.state).toBe('open');
      expect(server.requests).toHaveLength(2);
    });

    it('is not tripped by answers that prove the provider is up (a refusal, invalid output)', async () => {
      const circuitBreaker = breakerFor(2);
      const ai = provider({ circuitBreaker });
      server.script(
        { kind: 'refusal', refusal: 'No.' },
        { kind: 'invalid_json' },
        { kind: 'refusal', refusal: 'No.' },
      );
      for (let call = 0; call < 3; call++) await failure(ai.generateMetadata(METADATA));
      expect(circuitBreaker.state).toBe('closed');
    });
  });

  describe('createAiProvider', () => {
    it('picks the model when an API key is configured, with the base URL and model given', async () => {
      const ai = createAiProvider({
        openaiApiKey: 'sk-test',
        openaiBaseUrl: server.baseUrl,
        model: 'my-model',
      });
      server.script({ kind: 'json', content: METADATA_REPLY });

      const result = await ai.generateMetadata(METADATA);

      expect(ai).toMatchObject({ name: 'openai-compatible', model: 'my-model', label: 'model' });
      expect(result.label).toBe('model');
      expect(server.requests[0]?.body).toMatchObject({ model: 'my-model' });
    });

    it('reads the same settings from environment-shaped configuration', () => {
      const ai = createAiProvider({ OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'gpt-4.1-mini' });
      expect(ai).toMatchObject({ name: 'openai', model: 'gpt-4.1-mini', label: 'model' });
    });

    it('falls back to the local templates without an API key', () => {
      expect(createAiProvider({})).toMatchObject({
        name: 'local',
        model: 'templates-v1',
        label: 'local-template',
      });
      expect(createAiProvider({ openaiBaseUrl: server.baseUrl })).toMatchObject({ name: 'local' });
    });
  });
});
