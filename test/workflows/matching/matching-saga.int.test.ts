import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { matchingWorkflowId } from '../../../src/workflows/matching/ids.ts';
import type { MatchResult } from '../../../src/workflows/matching/types.ts';
import { executionsOf, runIdOf } from '../fixtures/harness.ts';
import { type MatchingHarness, sagaOf, startMatchingHarness } from './support/harness.ts';
import {
  accept,
  BERLIN,
  cancel,
  decline,
  eventsOfType,
  fillUp,
  freshSubject,
  learnerOf,
  mentorOf,
  mentorOfId,
  offerOf,
  positionOf,
  provenanceOf,
  requestEvents,
  requestMatch,
  storyOf,
} from './support/mentorship.ts';

/** Long enough that no offer here expires: every answer in this file comes from the mentor. */
const OFFER_TIMEOUT_MS = 60_000;

let h: MatchingHarness;
beforeAll(async () => {
  h = await startMatchingHarness({ offerTimeoutMs: OFFER_TIMEOUT_MS });
});
afterAll(async () => {
  await h?.close();
});

/**
 * Three mentors of a fresh subject, best first for the learner (hands-on, English): the first
 * fits in every way, the second teaches in another style, the third in another style and language.
 */
async function rankedMentors(subject: string, capacity = 3): Promise<[string, string, string]> {
  const best = await mentorOf(h, subject, { capacity });
  const second = await mentorOf(h, subject, { capacity, styles: ['structured'] });
  const third = await mentorOf(h, subject, { capacity, styles: ['structured'], languages: ['de'] });
  return [best, second, third];
}

const berlinWallClock = (instant: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: BERLIN,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(instant));

describe('the matching saga', () => {
  it('matches with the best mentor when they accept the first offer, and proposes first sessions in the time both have', async () => {
    const subject = freshSubject();
    const [best, second, third] = await rankedMentors(subject);
    const learnerId = await learnerOf(h, subject);
    const offeredFrom = Date.now();
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    const offer = await offerOf(h, requestId, 1);
    expect(offer).toMatchObject({ mentorId: best, learnerId, mentorCohort: 'new' });
    expect(Date.parse(offer.expiresAt) - offeredFrom).toBeGreaterThan(OFFER_TIMEOUT_MS - 5_000);
    expect(Date.parse(offer.expiresAt) - Date.now()).toBeLessThanOrEqual(OFFER_TIMEOUT_MS);
    expect(await saga.progress()).toMatchObject({
      state: 'awaiting_answer',
      candidates: [best, second, third],
      offers: [{ offerNumber: 1, mentorId: best, state: 'pending' }],
    });
    await accept(h, requestId, offer);

    const result = await saga.result();
    expect(result).toMatchObject({ outcome: 'matched', mentorId: best, offers: 1, reason: null });
    expect(result.proposedSlots).toHaveLength(3);
    for (const slot of result.proposedSlots) {
      expect(Date.parse(slot.endsAt) - Date.parse(slot.startsAt)).toBe(60 * 60_000);
      expect(Date.parse(slot.startsAt)).toBeGreaterThan(offeredFrom);
      // Weekday evenings in Berlin, 18:00 to 21:00, for both: an hour that starts by 20:00.
      expect(berlinWallClock(slot.startsAt)).toMatch(
        /^(Mon|Tue|Wed|Thu|Fri) (18|19):[0-5]\d$|^(Mon|Tue|Wed|Thu|Fri) 20:00$/,
      );
    }

    const events = await requestEvents(h, requestId);
    expect(storyOf(events)).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferAccepted #1',
      'MatchMade',
      'FirstSessionTimesProposed',
    ]);
    const [ranked] = eventsOfType(events, 'CandidatesRanked');
    expect(ranked?.data.candidates.map((candidate) => candidate.mentorId)).toEqual([best, second, third]);
    const scores = ranked?.data.candidates.map((candidate) => candidate.factors.score) ?? [];
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const [made] = eventsOfType(events, 'MatchMade');
    expect(made?.data).toMatchObject({ mentorId: best, learnerId, offerNumber: 1, factors: offer.factors });
    expect(eventsOfType(events, 'FirstSessionTimesProposed')[0]?.data.slots).toEqual(result.proposedSlots);
    expect((await mentorOfId(h, best)).activeMentees).toBe(1);
    expect((await mentorOfId(h, second)).activeMentees).toBe(0);

    // The saga's steps are the system's, correlated with the request that started it.
    const provenance = await provenanceOf(h, requestId);
    const requestCorrelation = provenance[0]?.correlationId;
    expect(provenance.map(({ type, actor }) => [type, actor])).toEqual([
      ['MatchRequested', `user:${learnerId}`],
      ['CandidatesRanked', 'system:matching'],
      ['MentorOffered', 'system:matching'],
      ['OfferAccepted', `user:${best}`],
      ['MatchMade', 'system:matching'],
      ['FirstSessionTimesProposed', 'system:matching'],
    ]);
    for (const step of provenance.filter(({ actor }) => actor === 'system:matching')) {
      expect(step.correlationId).toBe(requestCorrelation);
    }
  });

  it('offers the next candidate when the first declines, and matches when that one accepts', async () => {
    const subject = freshSubject();
    const [best, second] = await rankedMentors(subject);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    await decline(h, requestId, await offerOf(h, requestId, 1));
    const next = await offerOf(h, requestId, 2);
    expect(next.mentorId).toBe(second);
    await accept(h, requestId, next);

    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId: second, offers: 2 });
    expect(storyOf(await requestEvents(h, requestId))).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferDeclined #1',
      'MentorOffered #2',
      'OfferAccepted #2',
      'MatchMade',
      'FirstSessionTimesProposed',
    ]);
    expect((await mentorOfId(h, best)).activeMentees).toBe(0);
    expect((await mentorOfId(h, second)).activeMentees).toBe(1);
  });

  it('fails with no_candidates when nobody teaches the subject', async () => {
    const subject = freshSubject();
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    expect(await saga.result()).toEqual<MatchResult>({
      outcome: 'failed',
      mentorId: null,
      offers: 0,
      reason: 'no_candidates',
      proposedSlots: [],
    });
    expect(storyOf(await requestEvents(h, requestId))).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MatchFailed no_candidates',
    ]);
  });

  it('fails with offers_exhausted when the only candidate declines', async () => {
    const subject = freshSubject();
    await mentorOf(h, subject);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    await decline(h, requestId, await offerOf(h, requestId, 1));
    expect(await saga.result()).toMatchObject({ outcome: 'failed', offers: 1, reason: 'offers_exhausted' });
    expect(storyOf(await requestEvents(h, requestId)).slice(-2)).toEqual([
      'OfferDeclined #1',
      'MatchFailed offers_exhausted',
    ]);
  });

  it('skips mentors who filled up since the ranking: the one who accepts too late, and the next before an offer', async () => {
    const subject = freshSubject();
    const [best, second, third] = await rankedMentors(subject, 1);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    const first = await offerOf(h, requestId, 1);
    expect(first.mentorId).toBe(best);
    // Other requests take both of them on while the first offer waits.
    await fillUp(h, best);
    await fillUp(h, second);
    await accept(h, requestId, first);

    const next = await offerOf(h, requestId, 2);
    expect(next.mentorId).toBe(third);
    await accept(h, requestId, next);
    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId: third, offers: 2 });

    const events = await requestEvents(h, requestId);
    expect(storyOf(events)).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferAccepted #1',
      'MentorSkipped at_capacity #1',
      'MentorSkipped at_capacity',
      'MentorOffered #2',
      'OfferAccepted #2',
      'MatchMade',
      'FirstSessionTimesProposed',
    ]);
    expect(eventsOfType(events, 'MentorSkipped').map((event) => event.data.mentorId)).toEqual([best, second]);
    // Full means full: the late acceptance took no seat.
    expect((await mentorOfId(h, best)).activeMentees).toBe(1);
    expect((await saga.progress()).skipped).toEqual([
      { mentorId: best, reason: 'at_capacity' },
      { mentorId: second, reason: 'at_capacity' },
    ]);
  });

  it('stops waiting when the learner cancels, and issues no further command', async () => {
    const subject = freshSubject();
    const [best] = await rankedMentors(subject);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);
    await offerOf(h, requestId, 1);

    await cancel(h, requestId, learnerId);
    expect(await saga.result()).toEqual<MatchResult>({
      outcome: 'cancelled',
      mentorId: null,
      offers: 1,
      reason: null,
      proposedSlots: [],
    });
    const events = await requestEvents(h, requestId);
    expect(storyOf(events)).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'MatchRequestCancelled',
    ]);
    expect(eventsOfType(events, 'MatchRequestCancelled')[0]?.data.withdrawnOfferNumber).toBe(1);
    expect((await mentorOfId(h, best)).activeMentees).toBe(0);
  });

  it('resumes on a new worker after the worker stopped while waiting for an answer', async () => {
    const subject = freshSubject();
    const [best] = await rankedMentors(subject);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);
    const offer = await offerOf(h, requestId, 1);
    const runId = await runIdOf(h.client, saga.handle.workflowId);

    await h.stopWorkers();
    // Answered while no worker runs: Temporal keeps the signal for the saga.
    await accept(h, requestId, offer);
    await vi.waitFor(
      async () => {
        const { events } = await saga.handle.fetchHistory();
        expect((events ?? []).some((event) => event.workflowExecutionSignaledEventAttributes)).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    await h.resetStickyQueue(saga.handle.workflowId);
    await h.startWorker();

    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId: best, offers: 1 });
    expect(await runIdOf(h.client, saga.handle.workflowId)).toBe(runId);
    const events = await requestEvents(h, requestId);
    expect(eventsOfType(events, 'MentorOffered')).toHaveLength(1);
    expect(eventsOfType(events, 'MatchMade')).toHaveLength(1);
  });

  it('starts no second saga and offers nothing twice when the events are read again', async () => {
    const subject = freshSubject();
    const [, second] = await rankedMentors(subject);
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);
    await decline(h, requestId, await offerOf(h, requestId, 1));
    const next = await offerOf(h, requestId, 2);
    const runId = await runIdOf(h.client, saga.handle.workflowId);

    // A process manager without a checkpoint reads every event again: MatchRequested, OfferDeclined.
    const replaying = await h.startProcessManager(`pm-replay-${randomUUID()}`);
    const declined = await positionOf(h, requestId, 'OfferDeclined');
    await vi.waitFor(
      async () => {
        const status = await replaying.status();
        expect(status.checkpoint).toBeGreaterThanOrEqual(declined);
        expect(status.pendingEvents).toBe(0);
      },
      { timeout: 15_000, interval: 50 },
    );
    await replaying.stop();
    // The decline reached the saga twice, and the saga has handled both deliveries.
    await vi.waitFor(
      async () => {
        const events = (await saga.handle.fetchHistory()).events ?? [];
        const signalled = events.flatMap((event, at) =>
          event.workflowExecutionSignaledEventAttributes ? [at] : [],
        );
        expect(signalled).toHaveLength(2);
        const handled = events.slice((signalled.at(-1) ?? 0) + 1);
        expect(handled.some((event) => event.workflowTaskCompletedEventAttributes)).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(await executionsOf(h.client, matchingWorkflowId(requestId))).toBe(1);
    expect(await runIdOf(h.client, saga.handle.workflowId)).toBe(runId);
    const progress = await saga.progress();
    expect(progress.offers.map((offer) => [offer.mentorId, offer.state])).toEqual([
      [expect.any(String), 'declined'],
      [second, 'pending'],
    ]);
    // Counted once.
    expect(progress.signals).toHaveLength(1);

    await accept(h, requestId, next);
    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId: second, offers: 2 });
    expect(eventsOfType(await requestEvents(h, requestId), 'MentorOffered')).toHaveLength(2);
  });
});
