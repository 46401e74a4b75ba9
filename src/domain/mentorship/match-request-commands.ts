import type { FactorBreakdown, MatchFailureReason, MentorCohort, SkipReason, TimeSpan } from './values.ts';

/** A mentor the ranking put forward, with why (the factor breakdown and its score). */
export interface RankedMentor {
  mentorId: string;
  factors: FactorBreakdown;
}

/**
 * Commands on a match request (`matchrequest-<requestId>`). The learner asks and may cancel; the
 * offered mentor accepts or declines; every other step is the matching saga's (a system actor).
 */
export type MatchRequestCommand =
  | {
      type: 'RequestMatch';
      requestId: string;
      learnerId: string;
      subject: string;
      /** A few words for the mentors: personal data of the learner. */
      note?: string;
      /** Whether the learner has a profile, as their own stream says (handed in by the service). */
      learnerHasProfile: boolean;
    }
  | { type: 'RecordCandidates'; candidates: readonly RankedMentor[] }
  | {
      type: 'OfferMentor';
      mentorId: string;
      offerNumber: number;
      factors: FactorBreakdown;
      mentorCohort: MentorCohort;
      /** ISO instant; after it the saga expires the offer. */
      expiresAt: string;
    }
  | { type: 'AcceptOffer'; offerNumber: number }
  | { type: 'DeclineOffer'; offerNumber: number; reason?: string }
  | { type: 'ExpireOffer'; offerNumber: number }
  | { type: 'SkipMentor'; mentorId: string; offerNumber?: number; reason: SkipReason }
  | { type: 'MakeMatch'; mentorId: string; offerNumber: number; factors: FactorBreakdown }
  | { type: 'FailMatch'; reason: MatchFailureReason }
  | { type: 'CancelMatchRequest' }
  | { type: 'ProposeFirstSessions'; slots: readonly TimeSpan[] };
