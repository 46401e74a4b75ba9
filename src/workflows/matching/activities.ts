import { loadAggregate } from '../../commands/load-aggregate.ts';
import { proposeFirstSessions } from '../../domain/mentorship/availability.ts';
import { learnerProfileAggregate } from '../../domain/mentorship/learner-profile-decider.ts';
import { MAX_CANDIDATES } from '../../domain/mentorship/match-request-events.ts';
import { mentorProfileAggregate } from '../../domain/mentorship/mentor-profile-decider.ts';
import { learnerStream, mentorStream } from '../../domain/mentorship/streams.ts';
import type { FactorBreakdown, MentorCohort } from '../../domain/mentorship/values.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { rankCandidates } from '../../services/mentorship/rank-candidates.ts';
import {
  activityFailure,
  asActivity,
  issueOnMentor,
  issueOnRequest,
  loadRequest,
  requestCancelled,
  requireNotCancelled,
} from './activity-support.ts';
import type { MatchingDeps } from './deps.ts';
import type {
  ExpiryOutcome,
  FailReason,
  MenteeOutcome,
  MentorCheck,
  ProposedSlot,
  RankedCandidate,
  SagaRef,
  SkipReason,
} from './types.ts';

/** First sessions proposed after a match: this many times, each this long. */
export const FIRST_SESSION_PROPOSALS = 3;
export const FIRST_SESSION_MINUTES = 60;

/** Refusals of AddMentee that mean "skip this mentor", by the reason the saga records. */
const SKIPPED_BY: Record<string, SkipReason> = {
  MENTOR_AT_CAPACITY: 'at_capacity',
  MENTOR_NOT_ACCEPTING: 'not_accepting',
};

/**
 * The matching saga's reads and commands, as closures over their dependencies. Commands carry ids
 * derived from the saga and the step, and the time the workflow handed in, so Temporal may run any
 * of them again (a retry, a worker that died before reporting back) without appending twice.
 */
export function createMatchingActivities(deps: MatchingDeps) {
  return {
    /**
     * Ranks the mentors for the request and records them (CandidatesRanked). A retry after the
     * record was written returns the candidates recorded then, so the saga offers what was recorded.
     */
    rankCandidates(ref: SagaRef, limit: number, now: string): Promise<RankedCandidate[]> {
      return asActivity(deps, ref, async () => {
        // The learner as their own stream tells it: the read model may not have caught up with a
        // profile written just before the request, and a missing profile must not fail the saga.
        const { state: learner } = await loadAggregate(
          deps,
          learnerProfileAggregate,
          learnerStream(ref.learnerId),
        );
        const ranked = await rankCandidates(deps.pool, {
          learnerId: ref.learnerId,
          subject: ref.subject,
          limit: Math.min(limit, MAX_CANDIDATES),
          at: new Date(now),
          ...(learner.status === 'active' ? { learner } : {}),
        });
        const result = await issueOnRequest(deps, ref, 'candidates', now, {
          type: 'RecordCandidates',
          candidates: ranked.map(({ mentorId, factors }) => ({ mentorId, factors })),
        });
        const recorded = result.events.find((event) => event.type === 'CandidatesRanked');
        const candidates = recorded?.type === 'CandidatesRanked' ? recorded.data.candidates : ranked;
        const sessions = new Map(ranked.map((mentor) => [mentor.mentorId, mentor.completedSessions]));
        return candidates.map(({ mentorId, factors }) => ({
          mentorId,
          factors,
          completedSessions: sessions.get(mentorId) ?? 0,
        }));
      });
    },

    /** The ranking may be stale: is the mentor still accepting, with room for one more mentee? */
    checkMentor(ref: SagaRef, mentorId: string): Promise<MentorCheck> {
      return asActivity(deps, ref, async () => {
        const { state } = await loadAggregate(deps, mentorProfileAggregate, mentorStream(mentorId));
        if (state.status === 'none' || !state.accepting) return { available: false, reason: 'not_accepting' };
        // Already added for this request (an earlier run got that far): room was found then.
        if (state.menteeRequests.includes(ref.requestId)) return { available: true };
        if (state.activeMentees >= state.capacity) return { available: false, reason: 'at_capacity' };
        return { available: true };
      });
    },

    async skipMentor(
      ref: SagaRef,
      skip: { mentorId: string; offerNumber: number | null; reason: SkipReason },
      now: string,
    ): Promise<void> {
      const { mentorId, offerNumber, reason } = skip;
      await asActivity(deps, ref, () =>
        issueOnRequest(deps, ref, `skip:${mentorId}`, now, {
          type: 'SkipMentor',
          mentorId,
          reason,
          ...(offerNumber === null ? {} : { offerNumber }),
        }),
      );
    },

    async offerMentor(
      ref: SagaRef,
      offer: {
        mentorId: string;
        offerNumber: number;
        factors: FactorBreakdown;
        mentorCohort: MentorCohort;
        expiresAt: string;
      },
      now: string,
    ): Promise<void> {
      await asActivity(deps, ref, () =>
        issueOnRequest(deps, ref, `offer:${offer.offerNumber}`, now, { type: 'OfferMentor', ...offer }),
      );
    },

    /**
     * The timer ran out. The offer expires unless the mentor answered just before: then their
     * answer counts (its signal is still on its way to the saga).
     */
    expireOffer(ref: SagaRef, offerNumber: number, now: string): Promise<ExpiryOutcome> {
      return asActivity(deps, ref, async () => {
        const result = await issueOnRequest(deps, ref, `expire:${offerNumber}`, now, {
          type: 'ExpireOffer',
          offerNumber,
        });
        if (result.events.some((event) => event.type === 'OfferExpired')) return { expired: true };
        const request = await loadRequest(deps, ref.requestId);
        if (request.status === 'cancelled') throw requestCancelled();
        const offer =
          request.status === 'none' ? undefined : request.offers.find((o) => o.offerNumber === offerNumber);
        if (offer?.outcome === 'accepted' || offer?.outcome === 'declined') {
          return { expired: false, answer: offer.outcome };
        }
        return { expired: true };
      });
    },

    /**
     * The mentor accepted: they take the learner on, unless they filled up or stopped accepting
     * since the offer (then the saga skips them). Nothing is added for a cancelled request.
     */
    addMentee(ref: SagaRef, mentorId: string, now: string): Promise<MenteeOutcome> {
      return asActivity(deps, ref, async () => {
        // An earlier attempt added them (and died before reporting back): added, even if the
        // learner cancelled since, so the saga knows to release them again.
        const { state } = await loadAggregate(deps, mentorProfileAggregate, mentorStream(mentorId));
        if (state.status !== 'none' && state.menteeRequests.includes(ref.requestId)) return { added: true };
        await requireNotCancelled(deps, ref);
        try {
          await issueOnMentor(deps, ref, mentorId, `mentee:${mentorId}`, now, {
            type: 'AddMentee',
            requestId: ref.requestId,
            learnerId: ref.learnerId,
          });
          return { added: true };
        } catch (error) {
          const reason = error instanceof DomainError ? SKIPPED_BY[error.reason] : undefined;
          if (reason === undefined) throw error;
          return { added: false, reason };
        }
      });
    },

    /**
     * Compensation: the learner cancelled after the mentor took them on (between AddMentee and
     * MakeMatch), so the seat is freed again. The command id derives from the saga and the mentor,
     * and ReleaseMentee is idempotent: a retry, or a replay, releases nobody twice. Not mapped to
     * REQUEST_CANCELLED: the request is cancelled by then, and the release must still happen.
     */
    async releaseMentee(ref: SagaRef, mentorId: string, now: string): Promise<void> {
      try {
        await issueOnMentor(deps, ref, mentorId, `release:${mentorId}`, now, {
          type: 'ReleaseMentee',
          requestId: ref.requestId,
          reason: 'match_cancelled',
        });
      } catch (error) {
        throw activityFailure(error);
      }
    },

    async makeMatch(
      ref: SagaRef,
      match: { mentorId: string; offerNumber: number; factors: FactorBreakdown },
      now: string,
    ): Promise<void> {
      await asActivity(deps, ref, () =>
        issueOnRequest(deps, ref, 'match', now, { type: 'MakeMatch', ...match }),
      );
    },

    /** First-session times from both profiles' weekly availability, from `now` on. */
    proposeFirstSessions(ref: SagaRef, mentorId: string, now: string): Promise<ProposedSlot[]> {
      return asActivity(deps, ref, async () => {
        const [mentor, learner] = await Promise.all([
          loadAggregate(deps, mentorProfileAggregate, mentorStream(mentorId)),
          loadAggregate(deps, learnerProfileAggregate, learnerStream(ref.learnerId)),
        ]);
        const slots =
          mentor.state.status === 'none' || learner.state.status === 'none'
            ? []
            : proposeFirstSessions(
                mentor.state,
                learner.state,
                new Date(now),
                FIRST_SESSION_PROPOSALS,
                FIRST_SESSION_MINUTES,
              );
        const result = await issueOnRequest(deps, ref, 'first-sessions', now, {
          type: 'ProposeFirstSessions',
          slots,
        });
        const proposed = result.events.find((event) => event.type === 'FirstSessionTimesProposed');
        return proposed?.type === 'FirstSessionTimesProposed' ? [...proposed.data.slots] : slots;
      });
    },

    async failMatch(ref: SagaRef, reason: FailReason, now: string): Promise<void> {
      await asActivity(deps, ref, () =>
        issueOnRequest(deps, ref, 'fail', now, { type: 'FailMatch', reason }),
      );
    },
  };
}

export type MatchingActivities = ReturnType<typeof createMatchingActivities>;
