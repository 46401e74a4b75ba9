import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointDraftInput } from '../../src/ai/checkpoint-generation.ts';
import { AiProviderError } from '../../src/ai/errors.ts';
import { createLocalProvider } from '../../src/ai/local-provider.ts';
import { OpenAiProvider } from '../../src/ai/openai-provider.ts';
import {
  type OpenAiTestServer,
  startOpenAiTestServer,
  structuredOutputOf,
  TEST_MODEL,
} from '../support/openai-test-server.ts';

const MODULE: CheckpointDraftInput = {
  title: 'How plants feed themselves',
  body: [
    'Plants make their own food through photosynthesis in their leaves.',
    'Chlorophyll is the green pigment that captures energy from sunlight.',
    'The roots take up water from the soil and carry minerals to the stem.',
    'Carbon dioxide enters each leaf through tiny pores called stomata.',
    'Oxygen leaves the plant as a by-product of the whole process.',
  ].join(' '),
  language: 'en',
  questionCount: 4,
};

const MODEL_QUESTIONS = [
  {
    type: 'single_choice',
    prompt: 'What captures energy from sunlight?',
    options: [
      { text: 'Chlorophyll', correct: true },
      { text: 'Stomata', correct: false },
      { text: 'Roots', correct: false },
    ],
    acceptedAnswers: [],
    guidance: null,
  },
  {
    type: 'short_answer',
    prompt: 'What are the leaf pores called?',
    options: [],
    acceptedAnswers: ['stomata', 'stoma'],
    guidance: null,
  },
];

describe('checkpoint drafting through OpenAI structured output, over HTTP', () => {
  let server: OpenAiTestServer;
  let provider: OpenAiProvider;

  beforeAll(async () => {
    server = await startOpenAiTestServer();
    provider = new OpenAiProvider({ apiKey: 'test', baseUrl: server.baseUrl, maxAttempts: 1 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('asks for the checkpoint_questions schema, strictly, with the module’s text, and answers the questions', async () => {
    server.script({ kind: 'structured', byFormat: { checkpoint_questions: { questions: MODEL_QUESTIONS } } });
    const result = await provider.generateCheckpoint(MODULE);
    expect(result.output.questions).toEqual(MODEL_QUESTIONS);
    expect(result).toMatchObject({
      provider: 'openai-compatible',
      model: TEST_MODEL,
      label: 'model',
      attempts: 1,
    });
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    const [request] = server.requests;
    if (!request) throw new Error('No request reached the server');
    const format = structuredOutputOf(request);
    expect(format).toMatchObject({ name: 'checkpoint_questions', strict: true });
    expect(JSON.stringify(format?.schema)).toContain('acceptedAnswers');
    expect(JSON.stringify(request.body)).toContain('tiny pores called stomata');
  });

  it('keeps the first questionCount questions when the model writes more', async () => {
    const many = Array.from({ length: 6 }, (_, index) => ({
      ...MODEL_QUESTIONS[1],
      prompt: `Question ${index}?`,
    }));
    server.script({ kind: 'structured', byFormat: { checkpoint_questions: { questions: many } } });
    const result = await provider.generateCheckpoint({ ...MODULE, questionCount: 2 });
    expect(result.output.questions.map((question) => question.prompt)).toEqual([
      'Question 0?',
      'Question 1?',
    ]);
  });

  it('refuses a reply off the schema as AI_INVALID_OUTPUT', async () => {
    server.script({
      kind: 'structured',
      byFormat: { checkpoint_questions: { questions: [{ type: 'essay' }] } },
    });
    const error = await provider.generateCheckpoint(MODULE).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AiProviderError);
    expect(error).toMatchObject({ code: 'AI_INVALID_OUTPUT' });
  });
});

describe('checkpoint drafting by the local provider', () => {
  const local = createLocalProvider();

  it('says it is local and builds its questions from the module’s own sentences and key words', async () => {
    const result = await local.generateCheckpoint(MODULE);
    expect(result).toMatchObject({ provider: 'local', label: 'local-template' });
    const { questions } = result.output;
    expect(questions.length).toBeGreaterThanOrEqual(2);
    expect(questions.length).toBeLessThanOrEqual(MODULE.questionCount);
    expect(questions.at(-1)?.type).toBe('reflection');
    const body = MODULE.body.toLowerCase();
    for (const question of questions.slice(0, -1)) {
      expect(question.prompt).toContain('_____');
      const answer =
        question.type === 'short_answer'
          ? question.acceptedAnswers[0]
          : question.options.find((option) => option.correct)?.text;
      expect(answer && body.includes(answer)).toBe(true);
      // The blanked sentence is one of the module's, with the answer put back.
      const sentence = question.prompt.replace(/^[^:?]*[:?] /, '').replace('_____', answer ?? '');
      expect(body).toContain(sentence.toLowerCase());
    }
    expect(questions.some((question) => question.type === 'single_choice')).toBe(true);
  });

  it('is deterministic', async () => {
    const [first, second] = await Promise.all([
      local.generateCheckpoint(MODULE),
      local.generateCheckpoint(MODULE),
    ]);
    expect(first.output).toEqual(second.output);
  });
});
