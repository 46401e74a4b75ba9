import { type MatchRequestView, viewOf } from '../../domain/mentorship/match-request-policy.ts';
import type { MatchOfferRow, MatchRequestRow, MatchViewer } from './matching-queries.ts';

export function toMatchOffer(row: MatchOfferRow) {
  return {
    offerNumber: row.offer_number,
    mentorId: row.mentor_id,
    mentorCohort: row.mentor_cohort,
    score: row.score,
    factors: row.factors,
    offeredAt: row.offered_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    outcome: row.outcome,
    answeredAt: row.answered_at?.toISOString() ?? null,
  };
}

/** How much of the request this viewer may see (`none`: it is not theirs). */
export function requestViewOf(row: MatchRequestRow, viewer: MatchViewer): MatchRequestView {
  return viewOf({ learnerId: row.learner_id, offeredMentorIds: row.offered_mentor_ids }, viewer);
}

/**
 * The request as the viewer may see it. The learner and admins see all of it; an offered mentor
 * sees the subject, the status, their own offers, and the match and its times only when it is
 * theirs: never the other candidates' scores or who else was asked.
 */
export function toMatchRequest(row: MatchRequestRow, offers: readonly MatchOfferRow[], viewer: MatchViewer) {
  const view = requestViewOf(row, viewer);
  const full = view === 'full';
  const mine = (mentorId: string | null) => full || (mentorId !== null && mentorId === viewer.userId);
  const visibleOffers = offers.filter((offer) => mine(offer.mentor_id)).map(toMatchOffer);
  const matchedHere = mine(row.matched_mentor_id);
  return {
    id: row.request_id,
    learnerId: row.learner_id,
    subject: row.subject,
    status: row.status,
    viewerRole: viewer.admin && viewer.userId !== row.learner_id ? 'admin' : full ? 'learner' : 'mentor',
    candidates:
      full && row.candidates
        ? row.candidates.map((candidate, index) => ({
            rank: index + 1,
            mentorId: candidate.mentorId,
            score: candidate.factors.score,
            factors: candidate.factors,
          }))
        : null,
    offers: visibleOffers,
    currentOffer: visibleOffers.find((offer) => offer.offerNumber === row.current_offer_number) ?? null,
    matchedMentorId: matchedHere ? row.matched_mentor_id : null,
    factors: matchedHere ? row.factors : null,
    failureReason: full ? row.failure_reason : null,
    proposedTimes: matchedHere ? row.proposed_times : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const matchRequestCursor = (row: MatchRequestRow) => [row.sort_key, row.request_id];
