import { deepEqual, validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import type { MatchRequestCommand } from './match-request-commands.ts';
import {
  MAX_CANDIDATES,
  MAX_DECLINE_REASON_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PROPOSED_SLOTS,
  type MatchRequestEvent,
  matchRequestEventCatalogue,
  rankedMentor,
} from './match-request-events.ts';
import { offerForMentor, requireLearner } from './match-request-policy.ts';
import {
  evolveMatchRequest,
  initialMatchRequestState,
  isClosed,
  type MatchRequest,
  type MatchRequestState,
  openOffer,
} from './match-request-state.ts';
import { personOf, requireSystem } from './mentor-profile-policy.ts';
import {
  factorBreakdown,
  matchFailureReason,
  mentorCohort,
  skipReason,
  timeSpan,
  validSubjectKey,
} from './values.ts';

type CommandOf<Type extends MatchRequestCommand['type']> = Extract<MatchRequestCommand, { type: Type }>;
type Decision<Type extends MatchRequestCommand['type']> = (
  command: CommandOf<Type>,
  request: MatchRequest,
  context: DecisionContext,
) => MatchRequestEvent[];

/**
 * The life cycle of a match request: requested → (offer → accepted | declined | expired | skipped)*
 * → matched | failed, or cancelled by the learner before it ends. Repeats the saga may send after a
 * retry (the same offer, an expiry of an answered offer, the same match) decide nothing.
 */
export const matchRequestDecider: Decider<MatchRequestCommand, MatchRequestEvent, MatchRequestState> = {
  initialState: initialMatchRequestState,
  evolve: evolveMatchRequest,
  decide(command, state, context) {
    if (command.type === 'RequestMatch') return requestMatch(command, state, context);
    if (state.status === 'none') throw notFound('MATCH_REQUEST_NOT_FOUND', 'No such match request');
    switch (command.type) {
      case 'RecordCandidates':
        return recordCandidates(command, state, context);
      case 'OfferMentor':
        return offerMentor(command, state, context);
      case 'AcceptOffer':
        return acceptOffer(command, state, context);
      case 'DeclineOffer':
        return declineOffer(command, state, context);
      case 'ExpireOffer':
        return expireOffer(command, state, context);
      case 'SkipMentor':
        return skipMentor(command, state, context);
      case 'MakeMatch':
        return makeMatch(command, state, context);
      case 'FailMatch':
        return failMatch(command, state, context);
      case 'CancelMatchRequest':
        return cancelMatchRequest(command, state, context);
      case 'ProposeFirstSessions':
        return proposeFirstSessions(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown match request command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The match request aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const matchRequestAggregate = { decider: matchRequestDecider, catalogue: matchRequestEventCatalogue };

function requestMatch(
  command: CommandOf<'RequestMatch'>,
  state: MatchRequestState,
  { actor }: DecisionContext,
): MatchRequestEvent[] {
  if (personOf(actor) !== command.learnerId) {
    throw validation('LEARNER_MISMATCH', 'A learner asks for a mentor for themself');
  }
  if (state.status !== 'none') throw conflict('MATCH_REQUEST_EXISTS', 'This match request already exists');
  if (!command.learnerHasProfile) {
    throw validation('LEARNER_PROFILE_REQUIRED', 'Write your learner profile before asking for a mentor');
  }
  const note = (command.note ?? '').trim();
  if (note.length > MAX_NOTE_LENGTH) {
    throw validation('NOTE_TOO_LONG', `A note is at most ${MAX_NOTE_LENGTH} characters`);
  }
  return [
    {
      type: 'MatchRequested',
      data: {
        requestId: command.requestId,
        learnerId: command.learnerId,
        subject: validSubjectKey(command.subject),
        note: note.length > 0 ? note : null,
      },
    },
  ];
}

const recordCandidates: Decision<'RecordCandidates'> = (command, request, { actor }) => {
  requireSystem(actor);
  requireOpen(request);
  const candidates = command.candidates.map((candidate) =>
    validOr(rankedMentor, candidate, 'INVALID_CANDIDATE', 'candidate'),
  );
  if (candidates.length > MAX_CANDIDATES) {
    throw validation('TOO_MANY_CANDIDATES', `At most ${MAX_CANDIDATES} candidates are recorded`);
  }
  if (candidates.some((candidate) => candidate.mentorId === request.learnerId)) {
    throw validation('SELF_MATCH', 'A learner is not their own mentor');
  }
  if (request.candidates !== null && deepEqual(candidates, request.candidates)) return [];
  return [{ type: 'CandidatesRanked', data: { requestId: request.requestId, candidates } }];
};

/** One offer at a time, numbered upwards, never twice to the same mentor. */
const offerMentor: Decision<'OfferMentor'> = (command, request, { actor, now }) => {
  requireSystem(actor);
  const same = request.offers.find((offer) => offer.offerNumber === command.offerNumber);
  if (same !== undefined) {
    if (same.mentorId === command.mentorId) return [];
    throw conflict('OFFER_NUMBER_USED', 'This offer number went to another mentor');
  }
  requireOpen(request);
  if (openOffer(request) !== undefined) throw conflict('OFFER_PENDING', 'An offer is still open');
  const last = request.offers.at(-1)?.offerNumber ?? 0;
  if (!Number.isInteger(command.offerNumber) || command.offerNumber <= last) {
    throw validation('INVALID_OFFER_NUMBER', `Offers are numbered upwards: the next is above ${last}`);
  }
  if (command.mentorId === request.learnerId)
    throw validation('SELF_MATCH', 'A learner is not their own mentor');
  if (request.offers.some((offer) => offer.mentorId === command.mentorId)) {
    throw conflict('MENTOR_ALREADY_OFFERED', 'This mentor already had an offer for this request');
  }
  const expiresAt = validOr(timeSpan.shape.startsAt, command.expiresAt, 'INVALID_EXPIRY', 'expiry');
  if (Date.parse(expiresAt) <= now.getTime()) {
    throw validation('INVALID_EXPIRY', 'An offer expires in the future');
  }
  return [
    {
      type: 'MentorOffered',
      data: {
        requestId: request.requestId,
        learnerId: request.learnerId,
        mentorId: command.mentorId,
        offerNumber: command.offerNumber,
        factors: validOr(factorBreakdown, command.factors, 'INVALID_FACTORS', 'factors'),
        mentorCohort: validOr(mentorCohort, command.mentorCohort, 'INVALID_COHORT', 'cohort'),
        expiresAt,
      },
    },
  ];
};

/** The offered mentor, while the offer is pending and not past its expiry; a repeat decides nothing. */
const acceptOffer: Decision<'AcceptOffer'> = (command, request, { actor, now }) => {
  const offer = offerForMentor(request, actor, command.offerNumber);
  if (offer.outcome === 'accepted') return [];
  requireOpen(request);
  if (offer.outcome !== 'pending') {
    throw conflict('OFFER_NOT_PENDING', `This offer was already ${offer.outcome}`, {
      outcome: offer.outcome,
    });
  }
  if (Date.parse(offer.expiresAt) <= now.getTime()) throw conflict('OFFER_EXPIRED', 'This offer has expired');
  const { requestId } = request;
  return [
    { type: 'OfferAccepted', data: { requestId, mentorId: offer.mentorId, offerNumber: offer.offerNumber } },
  ];
};

const declineOffer: Decision<'DeclineOffer'> = (command, request, { actor }) => {
  const offer = offerForMentor(request, actor, command.offerNumber);
  if (offer.outcome === 'declined') return [];
  requireOpen(request);
  if (offer.outcome !== 'pending') {
    throw conflict('OFFER_NOT_PENDING', `This offer was already ${offer.outcome}`, {
      outcome: offer.outcome,
    });
  }
  const reason = (command.reason ?? '').trim();
  if (reason.length > MAX_DECLINE_REASON_LENGTH) {
    throw validation('REASON_TOO_LONG', `A reason is at most ${MAX_DECLINE_REASON_LENGTH} characters`);
  }
  return [
    {
      type: 'OfferDeclined',
      data: {
        requestId: request.requestId,
        mentorId: offer.mentorId,
        offerNumber: offer.offerNumber,
        reason: reason.length > 0 ? reason : null,
      },
    },
  ];
};

/** The saga's timer ran out: an offer answered (or withdrawn) meanwhile stays as it is. */
const expireOffer: Decision<'ExpireOffer'> = (command, request, { actor }) => {
  requireSystem(actor);
  const offer = request.offers.find((candidate) => candidate.offerNumber === command.offerNumber);
  if (offer === undefined) throw notFound('OFFER_NOT_FOUND', 'No such offer on this request');
  if (offer.outcome !== 'pending') return [];
  const { requestId } = request;
  return [
    { type: 'OfferExpired', data: { requestId, mentorId: offer.mentorId, offerNumber: offer.offerNumber } },
  ];
};

/**
 * A mentor who is full or stopped accepting: before an offer (no number), or withdrawing an offer
 * made (pending, or accepted when adding the mentee was refused).
 */
const skipMentor: Decision<'SkipMentor'> = (command, request, { actor }) => {
  requireSystem(actor);
  const reason = validOr(skipReason, command.reason, 'INVALID_SKIP_REASON', 'skip reason');
  const { requestId } = request;
  if (command.offerNumber === undefined) {
    if (request.skipped.some((skip) => skip.mentorId === command.mentorId)) return [];
    requireOpen(request);
    return [
      { type: 'MentorSkipped', data: { requestId, mentorId: command.mentorId, offerNumber: null, reason } },
    ];
  }
  const offer = request.offers.find((candidate) => candidate.offerNumber === command.offerNumber);
  if (offer === undefined) throw notFound('OFFER_NOT_FOUND', 'No such offer on this request');
  if (offer.mentorId !== command.mentorId) {
    throw validation('OFFER_MENTOR_MISMATCH', 'This offer went to another mentor');
  }
  if (offer.outcome === 'skipped') return [];
  requireOpen(request);
  if (offer.outcome !== 'pending' && offer.outcome !== 'accepted') {
    throw conflict('OFFER_NOT_PENDING', `This offer was already ${offer.outcome}`, {
      outcome: offer.outcome,
    });
  }
  return [
    {
      type: 'MentorSkipped',
      data: { requestId, mentorId: offer.mentorId, offerNumber: offer.offerNumber, reason },
    },
  ];
};

/** Only after the mentor accepted that very offer; the same match again decides nothing. */
const makeMatch: Decision<'MakeMatch'> = (command, request, { actor }) => {
  requireSystem(actor);
  if (request.status === 'matched') {
    if (request.matchedMentorId === command.mentorId) return [];
    throw conflict('ALREADY_MATCHED', 'This request was matched with another mentor');
  }
  requireOpen(request);
  const offer = request.offers.find((candidate) => candidate.offerNumber === command.offerNumber);
  if (offer === undefined || offer.mentorId !== command.mentorId || offer.outcome !== 'accepted') {
    throw conflict('OFFER_NOT_ACCEPTED', 'A match needs the mentor to have accepted this offer');
  }
  return [
    {
      type: 'MatchMade',
      data: {
        requestId: request.requestId,
        learnerId: request.learnerId,
        mentorId: offer.mentorId,
        offerNumber: offer.offerNumber,
        factors: validOr(factorBreakdown, command.factors, 'INVALID_FACTORS', 'factors'),
      },
    },
  ];
};

const failMatch: Decision<'FailMatch'> = (command, request, { actor }) => {
  requireSystem(actor);
  const reason = validOr(matchFailureReason, command.reason, 'INVALID_FAILURE_REASON', 'failure reason');
  if (request.status === 'failed') return [];
  requireOpen(request);
  if (openOffer(request) !== undefined) throw conflict('OFFER_PENDING', 'An offer is still open');
  return [
    { type: 'MatchFailed', data: { requestId: request.requestId, learnerId: request.learnerId, reason } },
  ];
};

/** The learner, any time before the request ends; an open offer is withdrawn with it. */
const cancelMatchRequest: Decision<'CancelMatchRequest'> = (_command, request, { actor }) => {
  requireLearner(request, actor, 'cancel it');
  if (request.status === 'cancelled') return [];
  requireOpen(request);
  return [
    {
      type: 'MatchRequestCancelled',
      data: {
        requestId: request.requestId,
        learnerId: request.learnerId,
        withdrawnOfferNumber: openOffer(request)?.offerNumber ?? null,
      },
    },
  ];
};

const proposeFirstSessions: Decision<'ProposeFirstSessions'> = (command, request, { actor }) => {
  requireSystem(actor);
  if (request.status !== 'matched' || request.matchedMentorId === null) {
    throw conflict('NOT_MATCHED', 'First sessions are proposed once matched');
  }
  if (command.slots.length > MAX_PROPOSED_SLOTS) {
    throw validation('TOO_MANY_SLOTS', `At most ${MAX_PROPOSED_SLOTS} proposed times`);
  }
  const slots = command.slots.map((slot) => validOr(timeSpan, slot, 'INVALID_SLOT', 'proposed time'));
  if (request.proposedSlots !== null && deepEqual(slots, request.proposedSlots)) return [];
  return [
    {
      type: 'FirstSessionTimesProposed',
      data: {
        requestId: request.requestId,
        learnerId: request.learnerId,
        mentorId: request.matchedMentorId,
        slots,
      },
    },
  ];
};

function requireOpen(request: MatchRequest): void {
  if (isClosed(request)) {
    throw conflict('MATCH_REQUEST_CLOSED', `This match request is ${request.status}`, {
      status: request.status,
    });
  }
}
