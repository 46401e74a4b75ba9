import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import type { MatchingActivities } from './activities.ts';
import {
  MATCH_CANCELLED_SIGNAL,
  MATCHING_PROGRESS_QUERY,
  OFFER_ANSWERED_SIGNAL,
  REQUEST_CANCELLED,
} from './ids.ts';
import {
  applySignalOnce,
  cohortOf,
  initialProgress,
  type MatchingProgress,
  withOffer,
  withOfferState,
  withSkipped,
} from './progress.ts';
import { type MatchingSettings, resolveSettings, retryPolicy } from './settings.ts';
import type {
  FailReason,
  MatchMentorInput,
  MatchResult,
  OfferAnswer,
  OfferAnsweredSignal,
  RankedCandidate,
  SagaRef,
  SkipReason,
} from './types.ts';

/** Sent on OfferAccepted and OfferDeclined, with the event id: a repeat changes nothing. */
export const offerAnsweredSignal = defineSignal<[OfferAnsweredSignal]>(OFFER_ANSWERED_SIGNAL);
/** Sent on MatchRequestCancelled: the saga stops waiting and ends without another command. */
export const matchCancelledSignal = defineSignal<[{ eventId: string }]>(MATCH_CANCELLED_SIGNAL);
export const matchingProgressQuery = defineQuery<MatchingProgress>(MATCHING_PROGRESS_QUERY);

/**
 * The matching saga, one per match request (started by MatchRequested): rank the candidates, then
 * offer them one at a time, best first. Each offer waits for the mentor's answer or the offer
 * timeout; a decline or a timeout moves on to the next candidate, up to `maxOffers` offers. A
 * mentor who is full or no longer accepting (at the offer, or by the time they accept) is skipped.
 * An accepted offer adds the learner to the mentor's mentees, makes the match and proposes first
 * session times. The learner may cancel at any time: the saga then ends without another command,
 * except that a mentor who took the learner on before the match was made releases them again.
 * Its clock is the workflow's (deterministic on replay) and handed to every command.
 */
export async function matchMentor(input: MatchMentorInput): Promise<MatchResult> {
  const { workflowId } = workflowInfo();
  const saga = new MatchingSaga(
    {
      sagaId: workflowId,
      requestId: input.requestId,
      learnerId: input.learnerId,
      subject: input.subject,
      correlationId: input.correlationId ?? workflowId,
      causationId: input.causationId ?? workflowId,
    },
    resolveSettings(input.settings),
  );
  setHandler(matchingProgressQuery, () => saga.progress);
  setHandler(offerAnsweredSignal, (signal) => saga.answer(signal));
  setHandler(matchCancelledSignal, ({ eventId }) => saga.cancel(eventId));
  return saga.run();
}

/** The learner cancelled: seen on the signal, or on a command the request refused because of it. */
class Cancelled extends Error {
  constructor() {
    super('The learner cancelled the match request');
  }
}

const isRequestCancelled = (error: unknown) => {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === REQUEST_CANCELLED;
};

const now = () => new Date().toISOString();

/** Candidates ranked at least: mentors who filled up since are skipped without costing an offer. */
const MIN_CANDIDATES = 20;

/** The offer out for an answer; the answer is the first one signalled for it. */
interface OpenOffer {
  offerNumber: number;
  mentorId: string;
  answer: OfferAnswer | null;
}

class MatchingSaga {
  progress: MatchingProgress;
  private cancelled = false;
  /** The offer waiting for its answer, if any. */
  private openOffer: OpenOffer | null = null;
  /** The mentor who took the learner on (AddMentee) while no match is made yet: released on a cancel. */
  private heldBy: string | null = null;
  private readonly acts: MatchingActivities;

  constructor(
    private readonly ref: SagaRef,
    private readonly settings: MatchingSettings,
  ) {
    this.progress = initialProgress(ref.requestId);
    this.acts = proxyActivities<MatchingActivities>({
      startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
      retry: retryPolicy(settings.commands),
    });
  }

  answer(signal: OfferAnsweredSignal): void {
    const { progress, applied } = applySignalOnce(this.progress, signal.eventId);
    this.progress = progress;
    const open = this.openOffer;
    // An answer to an earlier offer (delivered late, or replayed) no longer matters.
    if (!applied || !open || open.offerNumber !== signal.offerNumber || open.mentorId !== signal.mentorId) {
      return;
    }
    open.answer ??= signal.answer;
  }

  cancel(eventId: string): void {
    const { progress, applied } = applySignalOnce(this.progress, eventId);
    this.progress = progress;
    if (applied) this.cancelled = true;
  }

  async run(): Promise<MatchResult> {
    try {
      const limit = Math.max(MIN_CANDIDATES, this.settings.maxOffers * 4);
      const candidates = await this.act(() => this.acts.rankCandidates(this.ref, limit, now()));
      this.progress = {
        ...this.progress,
        state: 'offering',
        candidates: candidates.map((c) => c.mentorId),
      };
      if (candidates.length === 0) return await this.fail('no_candidates', 0);
      let offers = 0;
      for (const candidate of candidates) {
        if (offers >= this.settings.maxOffers) break;
        const offerNumber = offers + 1;
        const outcome = await this.offer(candidate, offerNumber);
        if (outcome === 'not_offered') continue;
        offers = offerNumber;
        if (outcome === 'accepted') return await this.match(candidate, offerNumber);
      }
      return await this.fail('offers_exhausted', offers);
    } catch (error) {
      if (error instanceof Cancelled || isRequestCancelled(error)) {
        await this.releaseHeldMentee();
        return this.end('cancelled');
      }
      throw error;
    }
  }

  /**
   * One candidate: re-checked (the ranking may be stale), offered, and waited for. Accepted means
   * the mentor said yes and took the learner on; anything else moves on to the next candidate.
   */
  private async offer(
    candidate: RankedCandidate,
    offerNumber: number,
  ): Promise<'not_offered' | 'accepted' | 'moved_on'> {
    const { mentorId, factors } = candidate;
    const check = await this.act(() => this.acts.checkMentor(this.ref, mentorId));
    if (!check.available) {
      await this.skip(mentorId, null, check.reason);
      return 'not_offered';
    }
    const mentorCohort = cohortOf(candidate.completedSessions);
    const expiresAt = new Date(Date.now() + this.settings.offerTimeoutMs).toISOString();
    // Open before the command: the mentor may answer before the activity has reported back.
    const open: OpenOffer = { offerNumber, mentorId, answer: null };
    this.openOffer = open;
    await this.act(() =>
      this.acts.offerMentor(this.ref, { mentorId, offerNumber, factors, mentorCohort, expiresAt }, now()),
    );
    this.progress = withOffer(this.progress, {
      offerNumber,
      mentorId,
      mentorCohort,
      expiresAt,
      state: 'pending',
    });
    const answered = await condition(
      () => this.cancelled || open.answer !== null,
      this.settings.offerTimeoutMs,
    );
    this.openOffer = null;
    if (this.cancelled) throw new Cancelled();
    let answer = open.answer;
    if (!answered || answer === null) {
      const expiry = await this.act(() => this.acts.expireOffer(this.ref, offerNumber, now()));
      // The mentor answered just before the timer fired; the answer's signal is still on its way.
      answer = expiry.expired ? null : expiry.answer;
    }
    this.progress = withOfferState(this.progress, offerNumber, answer ?? 'expired');
    if (answer !== 'accepted') return 'moved_on';
    const mentee = await this.act(() => this.acts.addMentee(this.ref, mentorId, now()));
    if (mentee.added) {
      this.heldBy = mentorId;
      return 'accepted';
    }
    await this.skip(mentorId, offerNumber, mentee.reason);
    return 'moved_on';
  }

  private async skip(mentorId: string, offerNumber: number | null, reason: SkipReason): Promise<void> {
    await this.act(() => this.acts.skipMentor(this.ref, { mentorId, offerNumber, reason }, now()));
    this.progress = withSkipped(this.progress, mentorId, reason);
    if (offerNumber !== null) this.progress = withOfferState(this.progress, offerNumber, 'skipped');
  }

  private async match(candidate: RankedCandidate, offerNumber: number): Promise<MatchResult> {
    const { mentorId, factors } = candidate;
    this.progress = { ...this.progress, state: 'matching', mentorId };
    await this.act(() => this.acts.makeMatch(this.ref, { mentorId, offerNumber, factors }, now()));
    this.heldBy = null;
    // Matched: a cancel from here on is refused by the request, so nothing stops the proposal.
    const proposedSlots = await this.acts.proposeFirstSessions(this.ref, mentorId, now());
    this.progress = { ...this.progress, proposedSlots };
    return this.end('matched', { mentorId, offers: offerNumber, proposedSlots });
  }

  /**
   * Compensation: the learner cancelled after the mentor took them on but before the match was
   * made (MakeMatch refused, or the cancel signal came first), so the mentor's seat is freed.
   * Issued although the saga is cancelled: it undoes a step, it does not take a new one.
   */
  private async releaseHeldMentee(): Promise<void> {
    const mentorId = this.heldBy;
    if (mentorId === null) return;
    await this.acts.releaseMentee(this.ref, mentorId, now());
    this.heldBy = null;
    this.progress = { ...this.progress, released: mentorId };
  }

  private async fail(reason: FailReason, offers: number): Promise<MatchResult> {
    await this.act(() => this.acts.failMatch(this.ref, reason, now()));
    this.progress = { ...this.progress, failure: reason };
    return this.end('failed', { reason, offers });
  }

  /** Every command waits for nothing once the learner has cancelled: the saga just ends. */
  private async act<T>(work: () => Promise<T>): Promise<T> {
    if (this.cancelled) throw new Cancelled();
    return work();
  }

  private end(
    outcome: MatchResult['outcome'],
    result: Partial<Omit<MatchResult, 'outcome'>> = {},
  ): MatchResult {
    this.progress = { ...this.progress, state: outcome };
    return {
      outcome,
      mentorId: result.mentorId ?? null,
      offers: result.offers ?? this.progress.offers.length,
      reason: result.reason ?? null,
      proposedSlots: result.proposedSlots ?? [],
    };
  }
}
