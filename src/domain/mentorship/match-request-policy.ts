import type { Actor } from '../shared/decider.ts';
import { forbidden, notFound } from '../shared/domain-error.ts';
import type { MatchRequest, Offer } from './match-request-state.ts';
import { personOf } from './mentor-profile-policy.ts';

/**
 * Who may act on and see a match request: the learner asks and cancels; each offered mentor
 * answers their own offer and sees the request from their offer on; platform admins see all.
 */

export function requireLearner(request: MatchRequest, actor: Actor, action: string): void {
  if (personOf(actor) !== request.learnerId) {
    throw forbidden('NOT_REQUEST_LEARNER', `Only the learner who asked can ${action}`);
  }
}

/** The offer with this number, answered only by the mentor it went to. */
export function offerForMentor(request: MatchRequest, actor: Actor, offerNumber: number): Offer {
  const person = personOf(actor);
  const offer = request.offers.find((candidate) => candidate.offerNumber === offerNumber);
  if (offer === undefined) {
    // A stranger learns no more than that this is not their offer.
    if (!request.offers.some((candidate) => candidate.mentorId === person)) {
      throw forbidden('NOT_OFFERED_MENTOR', 'Only the mentor an offer went to can answer it');
    }
    throw notFound('OFFER_NOT_FOUND', 'No such offer on this request');
  }
  if (offer.mentorId !== person) {
    throw forbidden('NOT_OFFERED_MENTOR', 'Only the mentor an offer went to can answer it');
  }
  return offer;
}

/** What a reader sees of a request: the learner and admins everything, an offered mentor their view. */
export type MatchRequestView = 'full' | 'mentor' | 'none';

export function viewOf(
  request: { learnerId: string; offeredMentorIds: readonly string[] },
  viewer: { userId: string | null; admin: boolean },
): MatchRequestView {
  if (viewer.admin || (viewer.userId !== null && viewer.userId === request.learnerId)) return 'full';
  if (viewer.userId !== null && request.offeredMentorIds.includes(viewer.userId)) return 'mentor';
  return 'none';
}
