import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';
import type { Action } from './reaction.ts';

export interface PerformOptions {
  /** Bounds one attempt; the caller retries. */
  timeoutMs: number;
  /** Stops waiting for Temporal (a stop request); the action may or may not have happened. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * Carries out one action. Both kinds are idempotent, which is what makes replays and retries safe:
 * a second start of the same workflow id is refused (even after the first run closed), and a
 * signal for a workflow that is gone has nobody left to tell.
 */
export async function performAction(
  client: Client,
  action: Action,
  cause: RecordedEvent,
  options: PerformOptions,
): Promise<void> {
  const { timeoutMs, signal, log } = options;
  const call = <T>(fn: () => Promise<T>) =>
    abandonedOnAbort(
      () => client.withDeadline(Date.now() + timeoutMs, () => client.withAbortSignal(signal, fn)),
      signal,
    );
  switch (action.kind) {
    case 'start':
      try {
        await call(() =>
          client.workflow.start(action.workflowType, {
            workflowId: action.workflowId,
            taskQueue: action.taskQueue,
            args: [...action.args],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            memo: { triggeredBy: triggerOf(cause) },
          }),
        );
        log.info({ workflowId: action.workflowId, workflowType: action.workflowType }, 'workflow started');
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        log.debug({ workflowId: action.workflowId }, 'workflow already started by this event');
      }
      return;
    case 'signal':
      try {
        await call(() => client.workflow.getHandle(action.workflowId).signal(action.signal, ...action.args));
        log.debug({ workflowId: action.workflowId, signal: action.signal }, 'workflow signalled');
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        log.info(
          { workflowId: action.workflowId, signal: action.signal },
          'workflow not found or already closed; signal dropped',
        );
      }
      return;
    default:
      return assertNever(action);
  }
}

/**
 * The client honours the abort signal once a call is on the wire, but a lazy connection still
 * being dialled waits out its deadline first; a stop must not wait for that, so the call is left
 * behind (it is idempotent: the next run repeats it).
 */
function abandonedOnAbort<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const call = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Stored in the workflow's memo: which event started it, for whoever inspects it in the UI. */
function triggerOf(event: RecordedEvent): Record<string, string> {
  const { correlationId } = event.metadata;
  return {
    eventId: event.id,
    type: event.type,
    streamName: event.streamName,
    position: event.position.toString(),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}

function assertNever(value: never): never {
  throw new Error(`Unknown process manager action: ${JSON.stringify(value)}`);
}
