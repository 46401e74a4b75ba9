import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposeFirstSessions } from '../../../src/domain/mentorship/availability.ts';
import { rankCandidates } from '../../../src/services/mentorship/rank-candidates.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { inADay, onMentor, onRequest } from './matching-support.ts';

const FACTORS = 'factors { subject style language availability timezone history score }';
const REQUEST_FIELDS = `id learnerId subject status viewerRole
  candidates { rank mentorId score ${FACTORS} }
  offers { offerNumber mentorId mentorCohort score outcome ${FACTORS} }
  currentOffer { offerNumber mentorId outcome }
  matchedMentorId ${FACTORS} failureReason proposedTimes { startsAt endsAt }`;
const UPSERT_MENTOR = `mutation ($input: MentorProfileInput!) { upsertMentorProfile(input: $input) { userId } }`;
const UPSERT_LEARNER = `mutation ($input: LearnerProfileInput!) { upsertLearnerProfile(input: $input) { userId } }`;
const REQUEST_MATCH = `mutation ($input: RequestMatchInput!) { requestMatch(input: $input) { ${REQUEST_FIELDS} } }`;
const ACCEPT = `mutation ($id: ID!, $n: Int!) { acceptOffer(requestId: $id, offerNumber: $n) { ${REQUEST_FIELDS} } }`;
const DECLINE = `mutation ($id: ID!, $n: Int!) { declineOffer(requestId: $id, offerNumber: $n, reason: "Full this month") { ${REQUEST_FIELDS} } }`;
const CANCEL = `mutation ($id: ID!) { cancelMatchRequest(requestId: $id) { id status } }`;
const MATCH_REQUEST = `query ($id: ID!) { matchRequest(id: $id) { ${REQUEST_FIELDS} } }`;
const MY_MATCHES = `query ($first: Int, $after: String, $as: MatchRole) {
  myMatches(first: $first, after: $after, as: $as) { totalCount nodes { id status viewerRole } pageInfo { hasNextPage endCursor } } }`;
const FAIRNESS = `query ($from: String!, $to: String!) { matchingFairnessReport(from: $from, to: $to) {
  totalOffers cohorts { cohort mentors offers accepted declined expired skipped withdrawn pending acceptanceRate offerShare averageScore } } }`;
const MATCH_UPDATES = `subscription ($id: ID!) { matchUpdates(requestId: $id) { id status currentOffer { offerNumber outcome } matchedMentorId } }`;

interface Factors {
  subject: number;
  style: number;
  language: number;
  availability: number;
  timezone: number;
  history: number;
  score: number;
}
interface RequestView {
  id: string;
  status: string;
  viewerRole: string;
  candidates: { rank: number; mentorId: string; score: number; factors: Factors }[] | null;
  offers: {
    offerNumber: number;
    mentorId: string;
    mentorCohort: string;
    outcome: string;
    factors: Factors;
  }[];
  currentOffer: { offerNumber: number; mentorId: string; outcome: string } | null;
  matchedMentorId: string | null;
  factors: Factors | null;
  proposedTimes: { startsAt: string; endsAt: string }[] | null;
}

const mentorInput = (timeZone: string) => ({
  subjects: [{ subject: 'typescript', level: 'expert' }],
  styles: ['socratic'],
  languages: ['en'],
  availability: [
    { day: 0, start: '18:00', end: '20:00' },
    { day: 2, start: '18:00', end: '20:00' },
  ],
  timeZone,
  capacity: 2,
  accepting: true,
});
const learnerInput = {
  goals: ['Ship a typed library'],
  subjects: ['typescript'],
  preferredStyle: 'socratic',
  languages: ['en'],
  availability: [
    { day: 0, start: '17:00', end: '19:00' },
    { day: 2, start: '18:00', end: '19:00' },
  ],
  timeZone: 'Europe/London',
};

let api: IdentityApp;
let learner: TestUser;
let mentorA: TestUser;
let mentorB: TestUser;
let stranger: TestUser;
let admin: TestUser;
let url: string;
const clients: TestClient[] = [];
const started = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  api = await startIdentityApp();
  [learner, mentorA, mentorB, stranger] = (await Promise.all(
    ['Learner', 'Mentor A', 'Mentor B', 'Stranger'].map((name) => registerAndSignIn(api, name)),
  )) as [TestUser, TestUser, TestUser, TestUser];
  admin = await makeAdmin(api);
  url = await graphqlWsUrl(api.app);
  expect(
    (await api.gql(UPSERT_MENTOR, { input: mentorInput('Europe/Berlin') }, mentorA.accessToken)).errors,
  ).toBeUndefined();
  expect(
    (await api.gql(UPSERT_MENTOR, { input: mentorInput('Europe/Paris') }, mentorB.accessToken)).errors,
  ).toBeUndefined();
});
afterAll(async () => {
  await Promise.all(clients.map((each) => each.dispose()));
  await api?.close();
});

const view = (response: Awaited<ReturnType<IdentityApp['gql']>>, field: string) =>
  fieldOf<RequestView>(response, field);

describe('requesting a match', () => {
  it('needs a learner profile, and a bad subject writes nothing', async () => {
    expect(
      errorCodes(await api.gql(REQUEST_MATCH, { input: { subject: 'typescript' } }, learner.accessToken)),
    ).toEqual(['VALIDATION/LEARNER_PROFILE_REQUIRED']);
    expect(
      (await api.gql(UPSERT_LEARNER, { input: learnerInput }, learner.accessToken)).errors,
    ).toBeUndefined();
    expect(
      errorCodes(await api.gql(REQUEST_MATCH, { input: { subject: '   ' } }, learner.accessToken)),
    ).toEqual(['VALIDATION/INVALID_SUBJECT']);
    expect(
      errorCodes(await api.gql(REQUEST_MATCH, { input: { subject: 'x'.repeat(300) } }, learner.accessToken)),
    ).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(
      fieldOf<{ totalCount: number }>(await api.gql(MY_MATCHES, {}, learner.accessToken), 'myMatches')
        .totalCount,
    ).toBe(0);
    expect(errorCodes(await api.gql(REQUEST_MATCH, { input: { subject: 'typescript' } }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
  });
});

describe('a match request from offer to match, through GraphQL and the saga’s commands', () => {
  let requestId: string;

  it('runs: decline, accept, match; factors are visible; updates are pushed', async () => {
    const created = view(
      await api.gql(REQUEST_MATCH, { input: { subject: ' TypeScript ' } }, learner.accessToken),
      'requestMatch',
    );
    requestId = created.id;
    expect(created).toMatchObject({
      subject: 'typescript',
      status: 'requested',
      viewerRole: 'learner',
      candidates: null,
      offers: [],
    });

    const client = connect(url, learner.accessToken);
    clients.push(client);
    const updates = subscribe<{
      status: string;
      currentOffer: { outcome: string } | null;
      matchedMentorId: string | null;
    }>(client, 'matchUpdates', MATCH_UPDATES, { id: requestId });
    expect((await updates.received(1))[0]).toMatchObject({ status: 'requested', currentOffer: null });

    // The saga: rank on the read models (a Wednesday in winter), record, offer the best.
    const ranked = await rankCandidates(api.runtime.pool, {
      learnerId: learner.id,
      subject: 'typescript',
      at: new Date('2025-01-15T12:00:00.000Z'),
    });
    expect(ranked.map((candidate) => candidate.mentorId).sort()).toEqual([mentorA.id, mentorB.id].sort());
    await onRequest(api, requestId, {
      type: 'RecordCandidates',
      candidates: ranked.map(({ mentorId, factors }) => ({ mentorId, factors })),
    });
    const first = ranked.find((candidate) => candidate.mentorId === mentorA.id);
    const second = ranked.find((candidate) => candidate.mentorId === mentorB.id);
    if (!first || !second) throw new Error('both mentors are candidates');
    await onRequest(api, requestId, {
      type: 'OfferMentor',
      mentorId: mentorA.id,
      offerNumber: 1,
      factors: first.factors,
      mentorCohort: 'new',
      expiresAt: inADay(),
    });
    await updates.received(2);

    // Candidates with their factor breakdown, for the learner.
    const seen = view(await api.gql(MATCH_REQUEST, { id: requestId }, learner.accessToken), 'matchRequest');
    expect(seen.status).toBe('offered');
    expect(
      seen.candidates?.map((candidate) => [candidate.rank, candidate.mentorId, candidate.factors]),
    ).toEqual(ranked.map((candidate, index) => [index + 1, candidate.mentorId, candidate.factors]));
    // Berlin and Paris are both UTC+1 in January, one hour from London: identical factors.
    expect(first.factors).toEqual({
      subject: 1,
      style: 1,
      language: 1,
      availability: 1,
      timezone: 0.9167,
      history: 0.5,
      score: 0.9417,
    });

    // Only the offered mentor answers; the other mentor and strangers cannot see or answer it.
    expect(errorCodes(await api.gql(ACCEPT, { id: requestId, n: 1 }, mentorB.accessToken))).toEqual([
      'FORBIDDEN/NOT_OFFERED_MENTOR',
    ]);
    expect(
      (await api.gql(MATCH_REQUEST, { id: requestId }, stranger.accessToken)).data?.matchRequest,
    ).toBeNull();
    expect(
      (await api.gql(MATCH_REQUEST, { id: requestId }, mentorB.accessToken)).data?.matchRequest,
    ).toBeNull();
    const mentorView = view(
      await api.gql(MATCH_REQUEST, { id: requestId }, mentorA.accessToken),
      'matchRequest',
    );
    expect(mentorView).toMatchObject({
      viewerRole: 'mentor',
      candidates: null,
      currentOffer: { offerNumber: 1, outcome: 'pending' },
    });

    const declined = view(
      await api.gql(DECLINE, { id: requestId, n: 1 }, mentorA.accessToken),
      'declineOffer',
    );
    expect(declined).toMatchObject({
      status: 'requested',
      currentOffer: null,
      offers: [{ offerNumber: 1, outcome: 'declined' }],
    });
    expect(errorCodes(await api.gql(ACCEPT, { id: requestId, n: 1 }, mentorA.accessToken))).toEqual([
      'CONFLICT/OFFER_NOT_PENDING',
    ]);

    await onRequest(api, requestId, {
      type: 'OfferMentor',
      mentorId: mentorB.id,
      offerNumber: 2,
      factors: second.factors,
      mentorCohort: 'experienced',
      expiresAt: inADay(),
    });
    const accepted = view(await api.gql(ACCEPT, { id: requestId, n: 2 }, mentorB.accessToken), 'acceptOffer');
    expect(accepted).toMatchObject({
      viewerRole: 'mentor',
      offers: [{ offerNumber: 2, outcome: 'accepted', mentorCohort: 'experienced' }],
    });

    await onMentor(api, mentorB.id, { type: 'AddMentee', requestId, learnerId: learner.id });
    await onRequest(api, requestId, {
      type: 'MakeMatch',
      mentorId: mentorB.id,
      offerNumber: 2,
      factors: second.factors,
    });
    const slots = proposeFirstSessions(
      { availability: mentorInput('Europe/Paris').availability, timeZone: 'Europe/Paris' },
      { availability: learnerInput.availability, timeZone: learnerInput.timeZone },
      new Date('2025-01-15T12:00:00.000Z'),
      2,
      60,
    );
    await onRequest(api, requestId, { type: 'ProposeFirstSessions', slots });

    const matched = view(
      await api.gql(MATCH_REQUEST, { id: requestId }, learner.accessToken),
      'matchRequest',
    );
    expect(matched).toMatchObject({
      status: 'matched',
      matchedMentorId: mentorB.id,
      factors: second.factors,
    });
    expect(matched.proposedTimes).toEqual([
      { startsAt: '2025-01-15T18:00:00.000Z', endsAt: '2025-01-15T19:00:00.000Z' },
      { startsAt: '2025-01-20T17:00:00.000Z', endsAt: '2025-01-20T18:00:00.000Z' },
    ]);
    expect(matched.offers.map((offer) => [offer.mentorId, offer.outcome])).toEqual([
      [mentorA.id, 'declined'],
      [mentorB.id, 'accepted'],
    ]);
    // The declining mentor no longer sees the match itself.
    const declinedView = view(
      await api.gql(MATCH_REQUEST, { id: requestId }, mentorA.accessToken),
      'matchRequest',
    );
    expect(declinedView).toMatchObject({
      status: 'matched',
      matchedMentorId: null,
      factors: null,
      proposedTimes: null,
    });

    // The subscriber saw the request through to the match (intermediate states may be folded).
    while (!updates.values.some((update) => update.status === 'matched')) {
      await updates.received(updates.values.length + 1);
    }
    expect(updates.values.at(-1)).toMatchObject({ status: 'matched', matchedMentorId: mentorB.id });
    expect(updates.values[0]?.status).toBe('requested');
    updates.unsubscribe();

    // The profiles read model follows offers and mentees.
    const { rows } = await api.runtime.pool.query(
      'select user_id, active_mentees, last_offered_at is not null as offered from mentor_profiles where user_id = any($1::uuid[]) order by user_id',
      [[mentorA.id, mentorB.id]],
    );
    expect(rows).toEqual(
      [
        { user_id: mentorA.id, active_mentees: 0, offered: true },
        { user_id: mentorB.id, active_mentees: 1, offered: true },
      ].sort((a, b) => (a.user_id < b.user_id ? -1 : 1)),
    );
    // A mentor who declined is not put forward to this learner again.
    const again = await rankCandidates(api.runtime.pool, { learnerId: learner.id, subject: 'typescript' });
    expect(again.map((candidate) => candidate.mentorId)).toEqual([mentorB.id]);
  });

  it('refuses to cancel a matched request, and a mentor cancelling another learner’s request', async () => {
    expect(errorCodes(await api.gql(CANCEL, { id: requestId }, learner.accessToken))).toEqual([
      'CONFLICT/MATCH_REQUEST_CLOSED',
    ]);
    const open = view(
      await api.gql(REQUEST_MATCH, { input: { subject: 'typescript' } }, learner.accessToken),
      'requestMatch',
    );
    expect(errorCodes(await api.gql(CANCEL, { id: open.id }, mentorA.accessToken))).toEqual([
      'FORBIDDEN/NOT_REQUEST_LEARNER',
    ]);
    expect(
      fieldOf(await api.gql(CANCEL, { id: open.id }, learner.accessToken), 'cancelMatchRequest'),
    ).toEqual({
      id: open.id,
      status: 'cancelled',
    });
  });

  it('lists my matches as learner and as mentor, a page at a time', async () => {
    const mine = fieldOf<{
      totalCount: number;
      nodes: { status: string }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    }>(await api.gql(MY_MATCHES, { first: 1 }, learner.accessToken), 'myMatches');
    expect(mine.totalCount).toBe(2);
    expect(mine.nodes.map((node) => node.status)).toEqual(['cancelled']);
    expect(mine.pageInfo.hasNextPage).toBe(true);
    const next = fieldOf<{ nodes: { status: string }[]; pageInfo: { hasNextPage: boolean } }>(
      await api.gql(MY_MATCHES, { first: 1, after: mine.pageInfo.endCursor }, learner.accessToken),
      'myMatches',
    );
    expect(next.nodes.map((node) => node.status)).toEqual(['matched']);
    expect(next.pageInfo.hasNextPage).toBe(false);
    const asMentor = fieldOf<{ totalCount: number; nodes: { viewerRole: string }[] }>(
      await api.gql(MY_MATCHES, { as: 'mentor' }, mentorA.accessToken),
      'myMatches',
    );
    expect(asMentor).toMatchObject({ totalCount: 1, nodes: [{ viewerRole: 'mentor' }] });
    expect(
      fieldOf<{ totalCount: number }>(
        await api.gql(MY_MATCHES, { as: 'learner' }, mentorA.accessToken),
        'myMatches',
      ).totalCount,
    ).toBe(0);
  });

  it('reports offers and acceptance per cohort to admins only', async () => {
    const period = { from: started, to: new Date(Date.now() + 60_000).toISOString() };
    const report = fieldOf<{ totalOffers: number; cohorts: Record<string, unknown>[] }>(
      await api.gql(FAIRNESS, period, admin.accessToken),
      'matchingFairnessReport',
    );
    // Offer 1 (new cohort) declined; offer 2 (experienced) accepted. Both scored 0.9417.
    expect(report.totalOffers).toBe(2);
    expect(report.cohorts).toEqual([
      {
        cohort: 'new',
        mentors: 1,
        offers: 1,
        accepted: 0,
        declined: 1,
        expired: 0,
        skipped: 0,
        withdrawn: 0,
        pending: 0,
        acceptanceRate: 0,
        offerShare: 0.5,
        averageScore: 0.9417,
      },
      {
        cohort: 'experienced',
        mentors: 1,
        offers: 1,
        accepted: 1,
        declined: 0,
        expired: 0,
        skipped: 0,
        withdrawn: 0,
        pending: 0,
        acceptanceRate: 1,
        offerShare: 0.5,
        averageScore: 0.9417,
      },
    ]);
    const before = fieldOf<{ totalOffers: number }>(
      await api.gql(FAIRNESS, { from: '2020-01-01T00:00:00Z', to: started }, admin.accessToken),
      'matchingFairnessReport',
    );
    expect(before.totalOffers).toBe(0);
    expect(errorCodes(await api.gql(FAIRNESS, period, learner.accessToken))).toEqual([
      'FORBIDDEN/ADMIN_ONLY',
    ]);
    expect(
      errorCodes(await api.gql(FAIRNESS, { from: period.to, to: period.from }, admin.accessToken)),
    ).toEqual(['VALIDATION/INVALID_PERIOD']);
  });

  it('refuses a subscription to someone else’s request', async () => {
    const client = connect(url, stranger.accessToken);
    clients.push(client);
    const refused = subscribe(client, 'matchUpdates', MATCH_UPDATES, { id: requestId });
    expect(await refused.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'MATCH_REQUEST_NOT_FOUND' } }],
    });
  });
});
