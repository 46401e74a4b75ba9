import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MatchingHarness, sagaOf, startMatchingHarness } from './support/harness.ts';
import {
  eventsOfType,
  freshSubject,
  learnerOf,
  mentorOf,
  offerOf,
  requestEvents,
  requestMatch,
  storyOf,
} from './support/mentorship.ts';

/** Offers expire after a second and a half; two offers at most. */
const OFFER_TIMEOUT_MS = 1_500;

let h: MatchingHarness;
beforeAll(async () => {
  h = await startMatchingHarness({ offerTimeoutMs: OFFER_TIMEOUT_MS, maxOffers: 2 });
});
afterAll(async () => {
  await h?.close();
});

describe('the matching saga when mentors do not answer', () => {
  it('expires each offer after the timeout, offers the next, and fails with offers_exhausted at the limit', async () => {
    const subject = freshSubject();
    const best = await mentorOf(h, subject);
    const second = await mentorOf(h, subject, { styles: ['structured'] });
    const third = await mentorOf(h, subject, { styles: ['structured'], languages: ['de'] });
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    const saga = await sagaOf(h, requestId);

    const first = await offerOf(h, requestId, 1);
    expect(first.mentorId).toBe(best);
    expect(await saga.result()).toEqual({
      outcome: 'failed',
      mentorId: null,
      offers: 2,
      reason: 'offers_exhausted',
      proposedSlots: [],
    });

    const events = await requestEvents(h, requestId);
    expect(storyOf(events)).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferExpired #1',
      'MentorOffered #2',
      'OfferExpired #2',
      'MatchFailed offers_exhausted',
    ]);
    const offers = eventsOfType(events, 'MentorOffered').map((event) => event.data);
    expect(offers.map((offer) => offer.mentorId)).toEqual([best, second]);
    expect(offers.map((offer) => offer.mentorId)).not.toContain(third);
    // Each offer was out for the timeout: the second was made once the first had expired.
    const [one, two] = offers;
    expect(Date.parse(two?.expiresAt ?? '') - Date.parse(one?.expiresAt ?? '')).toBeGreaterThanOrEqual(
      OFFER_TIMEOUT_MS,
    );
    expect((await saga.progress()).offers.map((offer) => offer.state)).toEqual(['expired', 'expired']);
  });
});
