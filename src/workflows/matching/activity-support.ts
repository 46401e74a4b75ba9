import { ApplicationFailure } from '@temporalio/activity';
import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { MatchRequestCommand } from '../../domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../domain/mentorship/match-request-decider.ts';
import type { MatchRequestState } from '../../domain/mentorship/match-request-state.ts';
import type { MentorProfileCommand } from '../../domain/mentorship/mentor-profile-commands.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import { matchRequestStream, mentorStream } from '../../domain/mentorship/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { execute } from '../../services/shared/command-context.ts';
import { commonActivityFailure } from '../activity-failures.ts';
import type { MatchingDeps } from './deps.ts';
import { MATCHING_PROCESS, REQUEST_CANCELLED } from './ids.ts';
import type { SagaRef } from './types.ts';

/** Names every command id the matching saga derives. */
const MATCHING_NAMESPACE = '1618c562-eb11-4563-b02b-d1b9845cc4ec';

export const SAGA_ACTOR: Actor = { kind: 'system', process: MATCHING_PROCESS };

/** The same saga step always gets the same id: a retried activity's command appends nothing new. */
export const sagaCommandId = (saga: string, step: string) => uuidv5(`${saga}:${step}`, MATCHING_NAMESPACE);

const envelope = <Command>(ref: SagaRef, step: string, now: string, command: Command) => ({
  commandId: sagaCommandId(ref.sagaId, step),
  correlationId: ref.correlationId,
  causationId: ref.causationId,
  actor: SAGA_ACTOR,
  // The workflow's clock: a retry decides with the time the step was taken.
  now: new Date(now),
  command,
});

/** One of the saga's commands on the match request, as `system:matching`. */
export function issueOnRequest(
  deps: MatchingDeps,
  ref: SagaRef,
  step: string,
  now: string,
  command: MatchRequestCommand,
) {
  return execute(
    deps,
    matchRequestAggregate,
    matchRequestStream(ref.requestId),
    envelope(ref, step, now, command),
  );
}

/** One of the saga's commands on a mentor's profile, as `system:matching`. */
export function issueOnMentor(
  deps: MatchingDeps,
  ref: SagaRef,
  mentorId: string,
  step: string,
  now: string,
  command: MentorProfileCommand,
) {
  return execute(deps, mentorProfileAggregate, mentorStream(mentorId), envelope(ref, step, now, command));
}

export async function loadRequest(deps: MatchingDeps, requestId: string): Promise<MatchRequestState> {
  return (await loadAggregate(deps, matchRequestAggregate, matchRequestStream(requestId))).state;
}

/**
 * Runs an activity's body and turns what it throws into what Temporal should do about it. A
 * refusal because the learner cancelled the request ends the saga quietly (`REQUEST_CANCELLED`);
 * any other domain refusal will be refused again (non-retryable, typed by its reason), and so will
 * invalid input; a lost write race or anything else (the database is away) is retried.
 */
export async function asActivity<T>(deps: MatchingDeps, ref: SagaRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && (await cancelled(deps, ref))) throw requestCancelled(error);
    throw activityFailure(error);
  }
}

async function cancelled(deps: MatchingDeps, ref: SagaRef): Promise<boolean> {
  return (await loadRequest(deps, ref.requestId)).status === 'cancelled';
}

/** Throws REQUEST_CANCELLED when the learner cancelled: checked before acting outside the request. */
export async function requireNotCancelled(deps: MatchingDeps, ref: SagaRef): Promise<void> {
  if (await cancelled(deps, ref)) throw requestCancelled();
}

/** Ends the saga quietly: the workflow treats this type as the learner's cancel. */
export const requestCancelled = (cause?: Error) =>
  ApplicationFailure.create({
    message: 'The learner cancelled the match request',
    type: REQUEST_CANCELLED,
    nonRetryable: true,
    ...(cause ? { cause } : {}),
  });

/** What Temporal should do about an error: domain refusals and invalid input are not retried. */
export function activityFailure(error: unknown): unknown {
  return commonActivityFailure(error) ?? error;
}
