import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  RateLimitError,
} from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { Logger } from '../logger.ts';
import { backoffDelay, retryAfterMs, sleep } from './backoff.ts';
import { type CheckpointDraftInput, checkpointDraftTask } from './checkpoint-generation.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { type AiErrorCode, AiProviderError } from './errors.ts';
import type { MentorChatInput, MentorReplyOptions, MentorReplyResult } from './mentor-chat.ts';
import { MODEL_TASKS, type StructuredTask } from './openai-tasks.ts';
import type { AiCallOptions, AiInputOf, AiProvider, AiResult } from './provider.ts';
import { parseReply, responseFormatFor } from './structured-output.ts';

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

export interface OpenAiProviderOptions {
  apiKey: string;
  /** An OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1`; OpenAI's own when unset. */
  baseUrl?: string;
  model?: string;
  /**
   * One attempt, from sending the request to the last byte of the reply (default 30 s); for a
   * streamed reply, the longest wait for its next piece.
   */
  timeoutMs?: number;
  /** Attempts per call, the first included (default 3). */
  maxAttempts?: number;
  /** Backoff before the first retry (default 500 ms), doubling per retry up to `maxDelayMs` (8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails at once (default 30 s). */
  maxRetryAfterMs?: number;
  /** Shared by every call of this provider; 5 failures open it for 30 s unless given. */
  circuitBreaker?: CircuitBreaker;
  /** Jitter source, [0, 1). */
  random?: () => number;
  log?: Logger;
}

/** Why one HTTP attempt failed, and what to do about it. */
interface AttemptFailure {
  code: AiErrorCode;
  message: string;
  retryable: boolean;
  /** Timeouts, 5xx, 429 and broken connections count towards opening the circuit; a 4xx answer does not. */
  countsAgainstCircuit: boolean;
  retryAfterMs?: number;
}

/**
 * The AI provider on OpenAI's chat-completions API (or a compatible one) with structured outputs.
 * Resilience is ours, not the SDK's (its retries are off): a timeout per attempt covering the whole
 * reply, retries with exponential backoff and jitter on 429, 5xx, timeouts and connection errors
 * (a Retry-After is honoured), and a circuit breaker that stops calling a provider that keeps failing.
 */
export class OpenAiProvider implements AiProvider {
  readonly name: string;
  readonly model: string;
  readonly label = 'model' as const;
  readonly circuitBreaker: CircuitBreaker;
  readonly #client: OpenAI;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: { baseDelayMs: number; maxDelayMs: number; random: () => number };
  readonly #maxRetryAfterMs: number;
  readonly #log: Logger | undefined;

  constructor(options: OpenAiProviderOptions) {
    this.name = options.baseUrl ? 'openai-compatible' : 'openai';
    this.model = options.model ?? DEFAULT_OPENAI_MODEL;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#backoff = {
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 8_000,
      random: options.random ?? Math.random,
    };
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.#log = options.log;
    this.circuitBreaker =
      options.circuitBreaker ??
      new CircuitBreaker({
        failureThreshold: 5,
        coolDownMs: 30_000,
        onStateChange: ({ from, to }) =>
          this.#log?.warn({ provider: this.name, from, to }, 'AI provider circuit changed state'),
      });
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 0,
      timeout: this.#timeoutMs,
      // The SDK would log to the console; we log what matters ourselves.
      logLevel: 'off',
    });
  }

  generateContent(input: AiInputOf<'content'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.content, input, options);
  }
  generateMetadata(input: AiInputOf<'metadata'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.metadata, input, options);
  }
  generateAltText(input: AiInputOf<'alt_text'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.alt_text, input, options);
  }
  transcreate(input: AiInputOf<'transcreation'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.transcreation, input, options);
  }
  reviewClaims(input: AiInputOf<'claims_review'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.claims_review, input, options);
  }
  suggestTitles(input: AiInputOf<'titles'>, options?: AiCallOptions) {
    return this.#run(MODEL_TASKS.titles, input, options);
  }

  /** A checkpoint's questions drafted from a module's text (structured output, like every task). */
  generateCheckpoint(input: CheckpointDraftInput, options?: AiCallOptions) {
    return this.#run(checkpointDraftTask, input, options);
  }

  async #run<Input, Output>(
    task: StructuredTask<Input, Output>,
    input: Input,
    options: AiCallOptions = {},
  ): Promise<AiResult<Output>> {
    const started = performance.now();
    const schema = task.schema(input);
    const request: ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: task.messages(input),
      response_format: responseFormatFor(task.name, schema),
    };
    const completion = await this.#complete(
      (signal) => this.#client.chat.completions.create(request, { signal }),
      options.signal,
    );
    const attempts = completion.attempts;
    const reply = readReply(completion.value, attempts);
    const parsed = parseReply(reply, schema, (raw) => task.fit(raw, input));
    if (!parsed.ok) {
      const what = parsed.reason === 'not_json' ? 'is not JSON' : 'does not match the output schema';
      throw new AiProviderError('AI_INVALID_OUTPUT', `The model's reply ${what}: ${parsed.detail}`, {
        attempts,
      });
    }
    const usage = completion.value.usage;
    return {
      output: parsed.output,
      usage: {
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        totalTokens: usage?.total_tokens ?? 0,
      },
      provider: this.name,
      model: completion.value.model || this.model,
      label: this.label,
      durationMs: Math.round(performance.now() - started),
      attempts,
    };
  }

  /**
   * The mentor's reply, streamed. Retries (as for every call) only while nothing has been passed
   * to `onDelta`: once the learner has seen part of a reply, a second attempt would repeat it, so a
   * failure after that point fails the call.
   */
  async mentorReply(input: MentorChatInput, options: MentorReplyOptions): Promise<MentorReplyResult> {
    const started = performance.now();
    const request: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      messages: [{ role: 'system', content: input.system }, ...input.messages],
      stream: true,
      stream_options: { include_usage: true },
    };
    let streamed = false;
    const completion = await this.#complete(
      async (signal, keepAlive) => {
        const stream = await this.#client.chat.completions.create(request, { signal });
        const reply = {
          text: '',
          refusal: '',
          model: '',
          finishReason: null as string | null,
          usage: null as ChatCompletion['usage'] | null,
        };
        for await (const chunk of stream) {
          keepAlive();
          reply.model ||= chunk.model;
          if (chunk.usage) reply.usage = chunk.usage;
          const choice = chunk.choices[0];
          if (!choice) continue;
          const delta = choice.delta?.content;
          if (delta) {
            reply.text += delta;
            streamed = true;
            options.onDelta(delta);
          }
          if (choice.delta?.refusal) reply.refusal += choice.delta.refusal;
          if (choice.finish_reason) reply.finishReason = choice.finish_reason;
        }
        // The SDK ends the iteration quietly when the request is aborted: that is no reply.
        signal.throwIfAborted();
        return reply;
      },
      options.signal,
      () => !streamed,
    );
    const { value: reply, attempts } = completion;
    if (reply.refusal) {
      throw new AiProviderError('AI_REFUSED', `The model refused: ${reply.refusal}`, { attempts });
    }
    if (reply.finishReason === 'content_filter') {
      throw new AiProviderError('AI_REFUSED', "The provider's content filter stopped the reply", {
        attempts,
      });
    }
    if (reply.finishReason === null) {
      throw new AiProviderError('AI_UNAVAILABLE', 'The reply stream ended before the reply did', {
        attempts,
      });
    }
    if (!reply.text.trim()) {
      throw new AiProviderError('AI_INVALID_OUTPUT', 'The model returned an empty reply', { attempts });
    }
    return {
      output: { text: reply.text },
      usage: {
        promptTokens: reply.usage?.prompt_tokens ?? 0,
        completionTokens: reply.usage?.completion_tokens ?? 0,
        totalTokens: reply.usage?.total_tokens ?? 0,
      },
      provider: this.name,
      model: reply.model || this.model,
      label: this.label,
      durationMs: Math.round(performance.now() - started),
      attempts,
    };
  }

  /**
   * One call, retried as the failures (and `mayRetry`) allow, through the circuit breaker. `run`
   * makes one attempt; it calls `keepAlive` whenever it receives something, which restarts the
   * attempt's timeout (only streamed replies do).
   */
  async #complete<Value>(
    run: (signal: AbortSignal, keepAlive: () => void) => Promise<Value>,
    signal: AbortSignal | undefined,
    mayRetry: () => boolean = () => true,
  ): Promise<{ value: Value; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      if (!this.circuitBreaker.tryAcquire()) {
        const retryInMs = this.circuitBreaker.retryInMs;
        throw new AiProviderError(
          'AI_UNAVAILABLE',
          `The AI provider is unavailable (circuit open after repeated failures; next trial in ${retryInMs} ms)`,
          { attempts: attempt - 1, retryAfterMs: retryInMs },
        );
      }
      const outcome = await this.#attempt(run, signal);
      if (outcome.ok) {
        this.circuitBreaker.recordSuccess();
        return { value: outcome.value, attempts: attempt };
      }
      if (outcome.cancelled) {
        this.circuitBreaker.release();
        throw new AiProviderError('AI_FAILED', 'The AI call was cancelled', {
          attempts: attempt,
          cause: outcome.error,
        });
      }
      const { failure } = outcome;
      if (failure.countsAgainstCircuit) this.circuitBreaker.recordFailure();
      else this.circuitBreaker.recordSuccess();
      const delay =
        failure.retryable && attempt < this.#maxAttempts && mayRetry()
          ? this.#retryDelay(attempt, failure)
          : undefined;
      if (delay === undefined) {
        throw new AiProviderError(failure.code, failure.message, {
          attempts: attempt,
          retryAfterMs: failure.retryAfterMs,
          cause: outcome.error,
        });
      }
      this.#log?.warn(
        { provider: this.name, code: failure.code, attempt, retryInMs: delay, reason: failure.message },
        'AI call failed; retrying',
      );
      try {
        await sleep(delay, signal);
      } catch (error) {
        throw new AiProviderError('AI_FAILED', 'The AI call was cancelled', {
          attempts: attempt,
          cause: error,
        });
      }
    }
  }

  /** Backoff with jitter, or the server's Retry-After if longer; undefined when that is too long to wait. */
  #retryDelay(attempt: number, failure: AttemptFailure): number | undefined {
    const backoff = backoffDelay(attempt, this.#backoff);
    if (failure.retryAfterMs === undefined) return backoff;
    if (failure.retryAfterMs > this.#maxRetryAfterMs) return undefined;
    return Math.max(backoff, failure.retryAfterMs);
  }

  async #attempt<Value>(
    run: (signal: AbortSignal, keepAlive: () => void) => Promise<Value>,
    callerSignal: AbortSignal | undefined,
  ): Promise<
    | { ok: true; value: Value }
    | { ok: false; cancelled: true; error: unknown }
    | { ok: false; cancelled: false; failure: AttemptFailure; error: unknown }
  > {
    // The SDK's own timeout stops at the response headers; this one also covers reading the body.
    const deadline = new AbortController();
    let timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    const keepAlive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => deadline.abort(), this.#timeoutMs);
    };
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    try {
      const value = await run(signal, keepAlive);
      return { ok: true, value };
    } catch (error) {
      if (callerSignal?.aborted) return { ok: false, cancelled: true, error };
      return { ok: false, cancelled: false, failure: classify(error, deadline.signal.aborted), error };
    } finally {
      clearTimeout(timer);
    }
  }
}

function classify(error: unknown, timedOut: boolean): AttemptFailure {
  const transient = (code: AiErrorCode, message: string, retryAfter?: number): AttemptFailure => ({
    code,
    message,
    retryable: true,
    countsAgainstCircuit: true,
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
  if (timedOut || error instanceof APIConnectionTimeoutError) {
    return transient('AI_TIMEOUT', 'The AI provider did not answer in time');
  }
  if (error instanceof APIUserAbortError) return transient('AI_TIMEOUT', 'The AI request was aborted');
  if (error instanceof APIConnectionError) {
    return transient('AI_UNAVAILABLE', `Could not reach the AI provider: ${error.message}`);
  }
  if (error instanceof RateLimitError) {
    // An exhausted quota is a 429 too, but waiting does not refill it.
    if (error.code === 'insufficient_quota') {
      return {
        code: 'AI_FAILED',
        message: 'The AI provider account has no quota left',
        retryable: false,
        countsAgainstCircuit: false,
      };
    }
    return transient('AI_RATE_LIMITED', 'The AI provider is rate limiting us', retryAfterMs(error.headers));
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    if (error.status >= 500 || error.status === 408 || error.status === 409) {
      return transient(
        'AI_UNAVAILABLE',
        `The AI provider failed (HTTP ${error.status})`,
        retryAfterMs(error.headers),
      );
    }
    return {
      code: 'AI_FAILED',
      message: `The AI provider rejected the request (HTTP ${error.status}): ${error.message}`,
      retryable: false,
      countsAgainstCircuit: false,
    };
  }
  return {
    code: 'AI_FAILED',
    message: `The AI call failed: ${error instanceof Error ? error.message : String(error)}`,
    retryable: false,
    countsAgainstCircuit: false,
  };
}

/** The reply's text, or the reason there is none to parse. */
function readReply(completion: ChatCompletion, attempts: number): string {
  const choice = completion.choices[0];
  if (!choice) throw new AiProviderError('AI_INVALID_OUTPUT', 'The model returned no choices', { attempts });
  if (choice.message.refusal) {
    throw new AiProviderError('AI_REFUSED', `The model refused: ${choice.message.refusal}`, { attempts });
  }
  if (choice.finish_reason === 'content_filter') {
    throw new AiProviderError('AI_REFUSED', "The provider's content filter stopped the reply", { attempts });
  }
  if (choice.finish_reason === 'length') {
    throw new AiProviderError('AI_INVALID_OUTPUT', 'The reply was cut off at the token limit', { attempts });
  }
  const content = choice.message.content;
  if (!content)
    throw new AiProviderError('AI_INVALID_OUTPUT', 'The model returned an empty reply', { attempts });
  return content;
}
