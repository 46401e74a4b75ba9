import { type Actor, actorId, type Decider, type DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import type {
  AiGenerationErrorCode,
  AiGenerationEvent,
  AiGenerationEventOf,
  AiGenerationKind,
} from './generation-events.ts';

export type AiGenerationCommand =
  | {
      type: 'RequestGeneration';
      requestId: string;
      kind: AiGenerationKind;
      brandId: string | null;
      contentId: string | null;
      provider: string;
      model: string;
    }
  | ({ type: 'CompleteGeneration' } & Omit<
      AiGenerationEventOf<'AIGenerationCompleted'>['data'],
      'requestId' | 'at'
    >)
  | ({ type: 'FailGeneration' } & Omit<
      AiGenerationEventOf<'AIGenerationFailed'>['data'],
      'requestId' | 'at'
    >);

export interface AiGenerationRequest {
  requestId: string;
  kind: AiGenerationKind;
  brandId: string | null;
  contentId: string | null;
  requestedBy: string;
}

export type AiGenerationState =
  | { status: 'none' }
  | ({ status: 'requested' } & AiGenerationRequest)
  | ({ status: 'completed' } & AiGenerationRequest & {
        completion: AiGenerationEventOf<'AIGenerationCompleted'>['data'];
      })
  | ({ status: 'failed' } & AiGenerationRequest & {
        failure: { errorCode: AiGenerationErrorCode; message: string; attempts: number };
      });

/**
 * A generation request: requested once, then completed or failed once. Only whoever asked (or the
 * system, for sagas) records the outcome; a finished request never changes again, so its outcome
 * can be handed back to a retry of the same request.
 */
export const aiGenerationDecider: Decider<AiGenerationCommand, AiGenerationEvent, AiGenerationState> = {
  initialState: { status: 'none' },
  evolve(state, event) {
    switch (event.type) {
      case 'AIGenerationRequested': {
        const { requestId, kind, brandId, contentId, requestedBy } = event.data;
        return { status: 'requested', requestId, kind, brandId, contentId, requestedBy };
      }
      case 'AIGenerationCompleted':
        return state.status === 'requested'
          ? { ...state, status: 'completed', completion: event.data }
          : state;
      case 'AIGenerationFailed': {
        if (state.status !== 'requested') return state;
        const { errorCode, message, attempts } = event.data;
        return { ...state, status: 'failed', failure: { errorCode, message, attempts } };
      }
      default:
        return state;
    }
  },
  decide(command, state, context) {
    switch (command.type) {
      case 'RequestGeneration':
        return request(command, state, context);
      case 'CompleteGeneration':
      case 'FailGeneration':
        return finish(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown AI generation command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

function request(
  command: Extract<AiGenerationCommand, { type: 'RequestGeneration' }>,
  state: AiGenerationState,
  { actor, now }: DecisionContext,
): AiGenerationEvent[] {
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in to use the AI assistant');
  if (state.status !== 'none') throw conflict('AI_REQUEST_EXISTS', 'This AI request id is already taken');
  const { requestId, kind, brandId, contentId, provider, model } = command;
  return [
    {
      type: 'AIGenerationRequested',
      data: {
        requestId,
        kind,
        brandId,
        contentId,
        requestedBy: actorId(actor),
        provider,
        model,
        at: now.toISOString(),
      },
    },
  ];
}

function finish(
  command: Extract<AiGenerationCommand, { type: 'CompleteGeneration' | 'FailGeneration' }>,
  state: AiGenerationState,
  { actor, now }: DecisionContext,
): AiGenerationEvent[] {
  if (state.status === 'none') throw notFound('AI_REQUEST_NOT_FOUND', 'No such AI request');
  requireRequester(actor, state.requestedBy);
  if (state.status !== 'requested') {
    throw conflict('AI_GENERATION_FINISHED', `This AI request has already ${state.status}`);
  }
  const at = now.toISOString();
  const { requestId } = state;
  if (command.type === 'CompleteGeneration') {
    const { type: _type, ...data } = command;
    return [{ type: 'AIGenerationCompleted', data: { ...data, requestId, at } }];
  }
  const { type: _type, ...data } = command;
  return [{ type: 'AIGenerationFailed', data: { ...data, requestId, at } }];
}

/** The one who asked, or the system (a saga acting for them). */
export function requireRequester(actor: Actor, requestedBy: string): void {
  if (actor.kind !== 'system' && actorId(actor) !== requestedBy) {
    throw forbidden('NOT_REQUESTER', 'This AI request belongs to someone else');
  }
}
