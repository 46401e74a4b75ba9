import type { EventWebhookEvent } from './webhook-events.ts';
import type { SuspensionReason, WebhookStatus } from './webhook-values.ts';

export interface EventWebhook {
  status: WebhookStatus;
  webhookId: string;
  ownerId: string;
  url: string;
  types: readonly string[];
  streamPrefix: string | null;
  startAfter: string;
  suspendedFor: SuspensionReason | null;
  /** How many replays were requested (0: none): delivery resets its cursor when the count moves. */
  replayRevision: number;
  replayAfter: string | null;
}

export type EventWebhookState = { status: 'none' } | EventWebhook;

export const initialEventWebhookState: EventWebhookState = { status: 'none' };

export function evolveEventWebhook(state: EventWebhookState, event: EventWebhookEvent): EventWebhookState {
  if (event.type === 'EventWebhookCreated') {
    return { status: 'active', ...event.data, suspendedFor: null, replayRevision: 0, replayAfter: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'EventWebhookPaused':
      return { ...state, status: 'paused' };
    case 'EventWebhookResumed':
      return { ...state, status: 'active', suspendedFor: null };
    case 'EventWebhookSuspended':
      return { ...state, status: 'suspended', suspendedFor: event.data.reason };
    case 'EventWebhookDeleted':
      return { ...state, status: 'deleted' };
    case 'EventWebhookReplayRequested':
      return { ...state, replayRevision: state.replayRevision + 1, replayAfter: event.data.after };
    default:
      return state;
  }
}
