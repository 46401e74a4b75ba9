import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MATCH_WEIGHTS } from '../../../src/domain/mentorship/values.ts';
import {
  type MatchingHarness,
  sagaOf,
  startMatchingHarness,
} from '../../workflows/matching/support/harness.ts';
import { fieldOf } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

/**
 * The whole matching flow through GraphQL only: people register, write their profiles, the learner
 * asks for a mentor, the matching saga (a real Temporal worker and process manager) offers the best
 * mentor, who accepts through GraphQL; the request shows the match with its factors and proposed
 * first-session times, and the learner books the first of them.
 */

const UPSERT_MENTOR = `mutation ($input: MentorProfileInput!) {
  upsertMentorProfile(input: $input) { userId capacity activeMentees accepting }
}`;
const UPSERT_LEARNER = `mutation ($input: LearnerProfileInput!) {
  upsertLearnerProfile(input: $input) { userId subjects preferredStyle }
}`;
const REQUEST_MATCH = `mutation ($input: RequestMatchInput!) { requestMatch(input: $input) { id status subject } }`;
const FACTORS = 'factors { subject style language availability timezone history score }';
const MATCH_REQUEST = `query ($id: ID!) {
  matchRequest(id: $id) {
    id learnerId subject status viewerRole matchedMentorId failureReason
    candidates { rank mentorId score ${FACTORS} }
    offers { offerNumber mentorId mentorCohort outcome expiresAt ${FACTORS} }
    currentOffer { offerNumber mentorId outcome }
    ${FACTORS}
    proposedTimes { startsAt endsAt }
  }
}`;
const ACCEPT = `mutation ($requestId: ID!, $offerNumber: Int!) {
  acceptOffer(requestId: $requestId, offerNumber: $offerNumber) { id status viewerRole }
}`;
const MENTOR_PROFILE = `query ($userId: ID!) { mentorProfile(userId: $userId) { userId activeMentees lastOfferedAt } }`;
const SCHEDULE = `mutation ($input: ScheduleSessionInput!) {
  scheduleSession(input: $input) {
    id matchRequestId mentorId learnerId startsAt endsAt durationMinutes status room { provider hasMedia }
  }
}`;

const FACTOR_NAMES = ['subject', 'style', 'language', 'availability', 'timezone', 'history'] as const;
type Factors = Record<(typeof FACTOR_NAMES)[number] | 'score', number>;

interface MatchRequestView {
  id: string;
  learnerId: string;
  subject: string;
  status: string;
  viewerRole: string;
  matchedMentorId: string | null;
  failureReason: string | null;
  candidates: { rank: number; mentorId: string; score: number; factors: Factors }[] | null;
  offers: {
    offerNumber: number;
    mentorId: string;
    mentorCohort: string;
    outcome: string;
    factors: Factors;
  }[];
  currentOffer: { offerNumber: number; mentorId: string; outcome: string } | null;
  factors: Factors | null;
  proposedTimes: { startsAt: string; endsAt: string }[] | null;
}

const EVENINGS = [0, 1, 2, 3, 4].map((day) => ({ day, start: '18:00', end: '21:00' }));

let h: MatchingHarness;
beforeAll(async () => {
  h = await startMatchingHarness({ offerTimeoutMs: 60_000 });
});
afterAll(async () => {
  await h?.close();
});

async function mentorProfile(user: TestUser, styles: string[], languages: string[]) {
  return fieldOf<{ userId: string; activeMentees: number }>(
    await h.api.gql(
      UPSERT_MENTOR,
      {
        input: {
          subjects: [{ subject: 'Linear Algebra', level: 'expert' }],
          styles,
          languages,
          availability: EVENINGS,
          timeZone: 'Europe/Berlin',
          capacity: 2,
          accepting: true,
        },
      },
      user.accessToken,
    ),
    'upsertMentorProfile',
  );
}

/** The request as `viewer` sees it, once `until` holds (the read models follow the saga). */
async function matchRequestAs(
  viewer: TestUser,
  id: string,
  until: (request: MatchRequestView) => boolean,
): Promise<MatchRequestView> {
  let seen: MatchRequestView | undefined;
  await vi.waitFor(
    async () => {
      seen = fieldOf<MatchRequestView>(
        await h.api.gql(MATCH_REQUEST, { id }, viewer.accessToken),
        'matchRequest',
      );
      expect(until(seen)).toBe(true);
    },
    { timeout: 15_000, interval: 100 },
  );
  if (!seen) throw new Error('unreachable');
  return seen;
}

describe('matching through GraphQL', () => {
  it('matches a learner with the best mentor, who accepts; shows why, proposes first sessions, and books one', async () => {
    const [best, other, learner] = await Promise.all([
      registerAndSignIn(h.api, 'Mira Mentor'),
      registerAndSignIn(h.api, 'Otto Mentor'),
      registerAndSignIn(h.api, 'Lena Learner'),
    ]);
    await mentorProfile(best, ['hands-on'], ['en']);
    await mentorProfile(other, ['structured'], ['de']);
    fieldOf(
      await h.api.gql(
        UPSERT_LEARNER,
        {
          input: {
            goals: ['Understand eigenvalues before the exam'],
            subjects: ['linear algebra'],
            preferredStyle: 'hands-on',
            languages: ['en'],
            availability: EVENINGS,
            timeZone: 'Europe/Berlin',
          },
        },
        learner.accessToken,
      ),
      'upsertLearnerProfile',
    );

    const requested = fieldOf<{ id: string; status: string; subject: string }>(
      await h.api.gql(
        REQUEST_MATCH,
        { input: { subject: ' Linear Algebra ', note: 'Evenings suit me' } },
        learner.accessToken,
      ),
      'requestMatch',
    );
    expect(requested).toMatchObject({ status: 'requested', subject: 'linear algebra' });

    // The saga ranks both mentors and offers the best one.
    const offered = await matchRequestAs(learner, requested.id, (request) => request.currentOffer !== null);
    expect(offered).toMatchObject({ status: 'offered', viewerRole: 'learner', learnerId: learner.id });
    expect(offered.candidates?.map((candidate) => [candidate.rank, candidate.mentorId])).toEqual([
      [1, best.id],
      [2, other.id],
    ]);
    expect(offered.currentOffer).toEqual({ offerNumber: 1, mentorId: best.id, outcome: 'pending' });
    expect(offered.offers[0]).toMatchObject({ mentorId: best.id, mentorCohort: 'new', outcome: 'pending' });

    // The offered mentor sees the request and accepts it.
    const asMentor = await matchRequestAs(best, requested.id, () => true);
    expect(asMentor.viewerRole).toBe('mentor');
    const accepted = fieldOf<{ status: string }>(
      await h.api.gql(ACCEPT, { requestId: requested.id, offerNumber: 1 }, best.accessToken),
      'acceptOffer',
    );
    expect(accepted.status).toBe('offered');

    const matched = await matchRequestAs(
      learner,
      requested.id,
      (request) => request.status === 'matched' && (request.proposedTimes?.length ?? 0) > 0,
    );
    expect(matched).toMatchObject({ matchedMentorId: best.id, failureReason: null });
    expect(matched.offers.map((offer) => offer.outcome)).toEqual(['accepted']);
    // Why: the factors of the match are those of the offer, and the score is their weighted sum.
    const factors = matched.factors;
    expect(factors).toEqual(matched.offers[0]?.factors);
    expect(factors).toEqual(matched.candidates?.[0]?.factors);
    if (!factors) throw new Error('no factors');
    const weighted = FACTOR_NAMES.reduce((sum, name) => sum + MATCH_WEIGHTS[name] * factors[name], 0);
    expect(factors.score).toBeCloseTo(weighted, 6);
    expect(factors).toMatchObject({ subject: 1, style: 1, language: 1, availability: 1, timezone: 1 });
    expect(factors.score).toBeGreaterThan(matched.candidates?.[1]?.score ?? 1);
    expect(matched.proposedTimes).toHaveLength(3);
    for (const time of matched.proposedTimes ?? []) {
      expect(Date.parse(time.endsAt) - Date.parse(time.startsAt)).toBe(60 * 60_000);
      expect(Date.parse(time.startsAt)).toBeGreaterThan(Date.now());
    }
    expect(await (await sagaOf(h, requested.id)).result()).toMatchObject({
      outcome: 'matched',
      mentorId: best.id,
    });
    const mentorNow = fieldOf<{ activeMentees: number; lastOfferedAt: string | null }>(
      await h.api.gql(MENTOR_PROFILE, { userId: best.id }, learner.accessToken),
      'mentorProfile',
    );
    expect(mentorNow.activeMentees).toBe(1);
    expect(mentorNow.lastOfferedAt).toEqual(expect.any(String));

    // The learner books the first proposed time: a session on both calendars, in a room without media.
    const first = matched.proposedTimes?.[0];
    const session = fieldOf<Record<string, unknown>>(
      await h.api.gql(
        SCHEDULE,
        { input: { matchRequestId: requested.id, startsAt: first?.startsAt, durationMinutes: 60 } },
        learner.accessToken,
      ),
      'scheduleSession',
    );
    expect(session).toMatchObject({
      matchRequestId: requested.id,
      mentorId: best.id,
      learnerId: learner.id,
      durationMinutes: 60,
      status: 'scheduled',
      room: { provider: 'local', hasMedia: false },
    });
    expect(Date.parse(String(session.startsAt))).toBe(Date.parse(first?.startsAt ?? ''));
    expect(Date.parse(String(session.endsAt))).toBe(Date.parse(first?.endsAt ?? ''));
  });
});
