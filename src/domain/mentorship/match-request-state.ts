import type { RankedMentor } from './match-request-commands.ts';
import type { MatchRequestEvent } from './match-request-events.ts';
import type { FactorBreakdown, MatchFailureReason, MentorCohort, SkipReason, TimeSpan } from './values.ts';

export const OFFER_OUTCOMES = ['pending', 'accepted', 'declined', 'expired', 'skipped', 'withdrawn'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

export interface Offer {
  offerNumber: number;
  mentorId: string;
  factors: FactorBreakdown;
  mentorCohort: MentorCohort;
  expiresAt: string;
  outcome: OfferOutcome;
}

/**
 * `requested`: open, no offer pending; `offered`: an offer is out (pending, or accepted and
 * waiting for the match); then one of the three ends.
 */
export const MATCH_REQUEST_STATUSES = ['requested', 'offered', 'matched', 'failed', 'cancelled'] as const;
export type MatchRequestStatus = (typeof MATCH_REQUEST_STATUSES)[number];

export interface MatchRequest {
  status: MatchRequestStatus;
  requestId: string;
  learnerId: string;
  subject: string;
  candidates: readonly RankedMentor[] | null;
  offers: readonly Offer[];
  /** Mentors skipped without an offer (they were full or stopped accepting before it). */
  skipped: readonly { mentorId: string; reason: SkipReason }[];
  matchedMentorId: string | null;
  factors: FactorBreakdown | null;
  failureReason: MatchFailureReason | null;
  proposedSlots: readonly TimeSpan[] | null;
}

export type MatchRequestState = { status: 'none' } | MatchRequest;

export const initialMatchRequestState: MatchRequestState = { status: 'none' };

export const isClosed = (request: MatchRequest) =>
  request.status === 'matched' || request.status === 'failed' || request.status === 'cancelled';

/** The offer not yet answered, or accepted and not yet matched: at most one at a time. */
export const openOffer = (request: MatchRequest): Offer | undefined =>
  request.status === 'offered'
    ? request.offers.find((offer) => offer.outcome === 'pending' || offer.outcome === 'accepted')
    : undefined;

export function evolveMatchRequest(state: MatchRequestState, event: MatchRequestEvent): MatchRequestState {
  if (event.type === 'MatchRequested') {
    const { requestId, learnerId, subject } = event.data;
    return {
      status: 'requested',
      requestId,
      learnerId,
      subject,
      candidates: null,
      offers: [],
      skipped: [],
      matchedMentorId: null,
      factors: null,
      failureReason: null,
      proposedSlots: null,
    };
  }
  if (state.status === 'none') return state;
  const settle = (offerNumber: number, outcome: OfferOutcome) =>
    state.offers.map((offer) => (offer.offerNumber === offerNumber ? { ...offer, outcome } : offer));
  switch (event.type) {
    case 'CandidatesRanked':
      return { ...state, candidates: event.data.candidates };
    case 'MentorOffered': {
      const { mentorId, offerNumber, factors, mentorCohort, expiresAt } = event.data;
      const offer: Offer = { offerNumber, mentorId, factors, mentorCohort, expiresAt, outcome: 'pending' };
      return { ...state, status: 'offered', offers: [...state.offers, offer] };
    }
    case 'OfferAccepted':
      return { ...state, offers: settle(event.data.offerNumber, 'accepted') };
    case 'OfferDeclined':
      return { ...state, status: 'requested', offers: settle(event.data.offerNumber, 'declined') };
    case 'OfferExpired':
      return { ...state, status: 'requested', offers: settle(event.data.offerNumber, 'expired') };
    case 'MentorSkipped': {
      const { mentorId, offerNumber, reason } = event.data;
      if (offerNumber === null) return { ...state, skipped: [...state.skipped, { mentorId, reason }] };
      return { ...state, status: 'requested', offers: settle(offerNumber, 'skipped') };
    }
    case 'MatchMade':
      return {
        ...state,
        status: 'matched',
        matchedMentorId: event.data.mentorId,
        factors: event.data.factors,
      };
    case 'MatchFailed':
      return { ...state, status: 'failed', failureReason: event.data.reason };
    case 'MatchRequestCancelled': {
      const { withdrawnOfferNumber } = event.data;
      return {
        ...state,
        status: 'cancelled',
        offers: withdrawnOfferNumber === null ? state.offers : settle(withdrawnOfferNumber, 'withdrawn'),
      };
    }
    case 'FirstSessionTimesProposed':
      return { ...state, proposedSlots: event.data.slots };
    default:
      return state;
  }
}
