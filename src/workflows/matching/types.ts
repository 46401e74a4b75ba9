import type {
  FactorBreakdown,
  MatchFailureReason,
  MentorCohort,
  SkipReason,
  TimeSpan,
} from '../../domain/mentorship/values.ts';
import type { MatchingSettingsInput } from './settings.ts';

/**
 * What the matching workflow and its activities hand each other: JSON values only, since they
 * travel as Temporal payloads and are kept in the workflow's history.
 */

export interface MatchMentorInput {
  requestId: string;
  learnerId: string;
  subject: string;
  /** The MatchRequested event's id and correlation id (defaults: the workflow id). */
  causationId?: string;
  correlationId?: string;
  settings?: MatchingSettingsInput;
}

/** Which saga acts, on which request: command ids derive from `sagaId` (the workflow id). */
export interface SagaRef {
  sagaId: string;
  requestId: string;
  learnerId: string;
  subject: string;
  correlationId: string;
  causationId: string;
}

/** A mentor as ranked for the request, best first. */
export interface RankedCandidate {
  mentorId: string;
  factors: FactorBreakdown;
  /** Sessions the mentor has completed: fewer than 3 makes them a `new` mentor in the fairness report. */
  completedSessions: number;
}

export type { MentorCohort, SkipReason };
export type OfferAnswer = 'accepted' | 'declined';
export type FailReason = MatchFailureReason;

/** The mentor as their profile stands now: can they take one more mentee? */
export type MentorCheck = { available: true } | { available: false; reason: SkipReason };

/** What the mentor said, as the process manager signals it (OfferAccepted, OfferDeclined). */
export interface OfferAnsweredSignal {
  /** The event's id: a repeated delivery is ignored. */
  eventId: string;
  mentorId: string;
  offerNumber: number;
  answer: OfferAnswer;
}

/** ExpireOffer found the offer still open (expired), or answered just before the timer fired. */
export type ExpiryOutcome = { expired: true } | { expired: false; answer: OfferAnswer };

/** An outcome of AddMentee: a mentor who filled up or closed since the ranking is skipped. */
export type MenteeOutcome = { added: true } | { added: false; reason: SkipReason };

export type ProposedSlot = TimeSpan;

export type MatchOutcome = 'matched' | 'failed' | 'cancelled';

export interface MatchResult {
  outcome: MatchOutcome;
  mentorId: string | null;
  /** Offers made (each numbered from 1). */
  offers: number;
  reason: FailReason | null;
  proposedSlots: ProposedSlot[];
}
