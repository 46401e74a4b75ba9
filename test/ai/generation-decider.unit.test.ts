import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AiGenerationCommand, aiGenerationDecider } from '../../src/domain/ai/generation-decider.ts';
import { type AiGenerationEvent, aiGenerationEventCatalogue } from '../../src/domain/ai/generation-events.ts';
import { actorId } from '../../src/domain/shared/decider.ts';
import { anonymous, anotherUser, by, theSystem } from '../domain/support/actors.ts';
import { deciderSpec } from '../domain/support/decider-spec.ts';

const NOW = new Date('2024-11-23T10:00:00.000Z');
const AT = NOW.toISOString();
const spec = deciderSpec(aiGenerationDecider);

function scenario() {
  const requestId = randomUUID();
  const requester = anotherUser();
  const requesterId = actorId(requester);
  const requested: AiGenerationEvent = {
    type: 'AIGenerationRequested',
    data: {
      requestId,
      kind: 'metadata',
      brandId: 'brand-1',
      contentId: null,
      requestedBy: requesterId,
      provider: 'local',
      model: 'templates-v1',
      at: AT,
    },
  };
  const complete: AiGenerationCommand = {
    type: 'CompleteGeneration',
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    label: 'model',
    promptTokens: 120,
    completionTokens: 40,
    totalTokens: 160,
    durationMs: 812,
    attempts: 2,
    output: { seoTitle: 'Trail shoes', seoDescription: 'Light.', keywords: ['trail'] },
  };
  const fail: AiGenerationCommand = {
    type: 'FailGeneration',
    provider: 'openai',
    model: 'gpt-4o-mini',
    errorCode: 'AI_TIMEOUT',
    message: 'The AI provider did not answer in time',
    durationMs: 30_000,
    attempts: 3,
  };
  return { requestId, requester, requesterId, requested, complete, fail };
}

describe('AI generation decider', () => {
  it('records a request with who asked', () => {
    const { requestId, requester, requested } = scenario();
    spec
      .given([])
      .when(
        {
          type: 'RequestGeneration',
          requestId,
          kind: 'metadata',
          brandId: 'brand-1',
          contentId: null,
          provider: 'local',
          model: 'templates-v1',
        },
        by(requester, NOW),
      )
      .then([requested]);
  });

  it('refuses anonymous requests and a request id already taken', () => {
    const { requestId, requester, requested } = scenario();
    const command: AiGenerationCommand = {
      type: 'RequestGeneration',
      requestId,
      kind: 'titles',
      brandId: null,
      contentId: null,
      provider: 'local',
      model: 'templates-v1',
    };
    spec.given([]).when(command, by(anonymous, NOW)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([requested]).when(command, by(requester, NOW)).thenThrows('CONFLICT', 'AI_REQUEST_EXISTS');
  });

  it('completes a request with tokens, duration, attempts and the output', () => {
    const { requestId, requester, requested, complete } = scenario();
    const { type: _type, ...data } = complete;
    spec
      .given([requested])
      .when(complete, by(requester, NOW))
      .then([{ type: 'AIGenerationCompleted', data: { ...data, requestId, at: AT } }]);
  });

  it('records a failure with its code', () => {
    const { requestId, requested, fail } = scenario();
    const { type: _type, ...data } = fail;
    spec
      .given([requested])
      .when(fail, by(theSystem('publishing'), NOW))
      .then([{ type: 'AIGenerationFailed', data: { ...data, requestId, at: AT } }]);
  });

  it('lets only the requester or the system record the outcome', () => {
    const { requested, complete } = scenario();
    spec.given([requested]).when(complete, by(anotherUser(), NOW)).thenThrows('FORBIDDEN', 'NOT_REQUESTER');
  });

  it('never changes a finished request, and knows no outcome of an unknown one', () => {
    const { requester, requested, complete, fail } = scenario();
    const completed = aiGenerationDecider.decide(
      complete,
      aiGenerationDecider.evolve(aiGenerationDecider.initialState, requested),
      by(requester, NOW),
    );
    spec
      .given([requested, ...completed])
      .when(fail, by(requester, NOW))
      .thenThrows('CONFLICT', 'AI_GENERATION_FINISHED');
    spec
      .given([requested, ...completed])
      .when(complete, by(requester, NOW))
      .thenThrows('CONFLICT', 'AI_GENERATION_FINISHED');
    spec.given([]).when(fail, by(requester, NOW)).thenThrows('NOT_FOUND', 'AI_REQUEST_NOT_FOUND');
  });

  it('shows integrators everything but the generated output', () => {
    const completed = aiGenerationEventCatalogue.AIGenerationCompleted;
    expect(completed.publicFields).not.toContain('output');
    expect(completed.publicFields).toEqual(
      expect.arrayContaining([
        'requestId',
        'promptTokens',
        'completionTokens',
        'totalTokens',
        'durationMs',
        'attempts',
      ]),
    );
    expect(aiGenerationEventCatalogue.AIGenerationRequested.publicFields).toContain('requestedBy');
    expect(aiGenerationEventCatalogue.AIGenerationFailed.publicFields).toContain('errorCode');
  });
});
