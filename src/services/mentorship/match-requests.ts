import { loadAggregate } from '../../commands/load-aggregate.ts';
import { learnerProfileAggregate } from '../../domain/mentorship/learner-profile-decider.ts';
import type { MatchRequestCommand } from '../../domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../domain/mentorship/match-request-decider.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import { personOf } from '../../domain/mentorship/mentor-profile-policy.ts';
import { learnerStream, matchRequestStream, mentorStream } from '../../domain/mentorship/streams.ts';
import { conflict, notFound } from '../../domain/shared/domain-error.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import {
  answerOfferInput,
  declineOfferInput,
  matchRequestIdInput,
  requestMatchInput,
} from './match-inputs.ts';

/**
 * Match request use cases for people: the learner asks and may cancel, the offered mentor accepts
 * or declines. Everything in between (ranking, offers, expiry, the match) is the matching saga's,
 * which reacts to these events.
 */

export async function requestMatch(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = requestMatchInput.parse(raw);
  const { input } = parsed;
  const learnerId = personOf(context.actor);
  const commandId = commandIdFor(context, 'requestMatch', parsed);
  // The request id derives from the command id, so a retried request finds what it made.
  const requestId = commandId;
  const learner = await loadAggregate(deps, learnerProfileAggregate, learnerStream(learnerId));
  await issue(deps, context, requestId, commandId, {
    type: 'RequestMatch',
    requestId,
    learnerId,
    subject: input.subject,
    ...(input.note != null ? { note: input.note } : {}),
    learnerHasProfile: learner.state.status !== 'none',
  });
  return requestId;
}

export async function acceptOffer(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = answerOfferInput.parse(raw);
  const { requestId, offerNumber } = parsed;
  const operation = `acceptOffer:${requestId}:${offerNumber}`;
  await issue(deps, context, requestId, commandIdFor(context, operation, parsed), {
    type: 'AcceptOffer',
    offerNumber,
  });
  return requestId;
}

export async function declineOffer(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = declineOfferInput.parse(raw);
  const { requestId, offerNumber, reason } = parsed;
  const operation = `declineOffer:${requestId}:${offerNumber}`;
  await issue(deps, context, requestId, commandIdFor(context, operation, parsed), {
    type: 'DeclineOffer',
    offerNumber,
    ...(reason != null ? { reason } : {}),
  });
  return requestId;
}

export async function cancelMatchRequest(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = matchRequestIdInput.parse(raw);
  const { requestId } = parsed;
  const operation = `cancelMatchRequest:${requestId}`;
  await issue(deps, context, requestId, commandIdFor(context, operation, parsed), {
    type: 'CancelMatchRequest',
  });
  return requestId;
}

/**
 * The mentor or the learner of a matched request ends the mentorship: the mentor releases the
 * mentee (MenteeReleased, `mentorship_ended`), which frees their seat for the next learner. The
 * request stays matched (the match happened). A request the caller is not part of reads as none.
 */
export async function endMentorship(deps: ServiceDeps, context: RequestContext, raw: unknown) {
  const parsed = matchRequestIdInput.parse(raw);
  const { requestId } = parsed;
  const person = personOf(context.actor);
  const { state } = await loadAggregate(deps, matchRequestAggregate, matchRequestStream(requestId));
  // Seen by its learner and the mentors offered it; the mentor's aggregate decides who may end it.
  const visible =
    state.status !== 'none' &&
    (person === state.learnerId || state.offers.some((offer) => offer.mentorId === person));
  if (!visible) throw notFound('MATCH_REQUEST_NOT_FOUND', 'No such match request');
  const mentorId = state.matchedMentorId;
  if (state.status !== 'matched' || mentorId === null) {
    throw conflict('NOT_MATCHED', 'Only a matched request has a mentorship to end');
  }
  const operation = `endMentorship:${requestId}`;
  await execute(
    deps,
    mentorProfileAggregate,
    mentorStream(mentorId),
    envelope(context, commandIdFor(context, operation, parsed), nowFrom(deps), {
      type: 'ReleaseMentee',
      requestId,
      reason: 'mentorship_ended',
    }),
  );
  return requestId;
}

function issue(
  deps: ServiceDeps,
  context: RequestContext,
  requestId: string,
  commandId: string,
  command: MatchRequestCommand,
) {
  return execute(
    deps,
    matchRequestAggregate,
    matchRequestStream(requestId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}
