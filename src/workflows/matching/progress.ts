import type {
  FailReason,
  MatchOutcome,
  MentorCohort,
  OfferAnswer,
  ProposedSlot,
  SkipReason,
} from './types.ts';

/**
 * What the `progress` query answers: the saga's own view of where it is, updated as it goes (the
 * recorded events say the same once the read models have caught up). Pure bookkeeping, imported
 * by the workflow.
 */
export type MatchingState = 'ranking' | 'offering' | 'awaiting_answer' | 'matching' | MatchOutcome;

export type OfferState = 'pending' | OfferAnswer | 'expired' | 'skipped';

export interface OfferProgress {
  offerNumber: number;
  mentorId: string;
  mentorCohort: MentorCohort;
  expiresAt: string;
  state: OfferState;
}

export interface MatchingProgress {
  requestId: string;
  state: MatchingState;
  /** Mentor ids as ranked, best first. */
  candidates: string[];
  offers: OfferProgress[];
  skipped: { mentorId: string; reason: SkipReason }[];
  mentorId: string | null;
  failure: FailReason | null;
  proposedSlots: ProposedSlot[];
  /** The mentor released again because the learner cancelled after they took the learner on. */
  released: string | null;
  /** Ids of the events signalled and applied (a repeated signal is ignored). */
  signals: string[];
}

export const initialProgress = (requestId: string): MatchingProgress => ({
  requestId,
  state: 'ranking',
  candidates: [],
  offers: [],
  skipped: [],
  mentorId: null,
  failure: null,
  proposedSlots: [],
  released: null,
  signals: [],
});

/** Applies a signal once: a repeat (the process manager delivers at least once) changes nothing. */
export function applySignalOnce(
  progress: MatchingProgress,
  eventId: string,
): { progress: MatchingProgress; applied: boolean } {
  if (progress.signals.includes(eventId)) return { progress, applied: false };
  return { progress: { ...progress, signals: [...progress.signals, eventId] }, applied: true };
}

export const withOffer = (progress: MatchingProgress, offer: OfferProgress): MatchingProgress => ({
  ...progress,
  state: 'awaiting_answer',
  offers: [...progress.offers, offer],
});

export const withOfferState = (
  progress: MatchingProgress,
  offerNumber: number,
  state: OfferState,
): MatchingProgress => ({
  ...progress,
  offers: progress.offers.map((offer) => (offer.offerNumber === offerNumber ? { ...offer, state } : offer)),
});

export const withSkipped = (
  progress: MatchingProgress,
  mentorId: string,
  reason: SkipReason,
): MatchingProgress => ({ ...progress, skipped: [...progress.skipped, { mentorId, reason }] });

/** The cohort an offer records (the fairness report compares cohorts): the domain's one rule. */
export { mentorCohortOf as cohortOf } from '../../domain/mentorship/ranking.ts';
