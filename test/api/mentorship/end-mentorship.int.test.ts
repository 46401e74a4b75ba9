import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { mentorProfileAggregate } from '../../../src/domain/mentorship/mentor-profile-decider.ts';
import { mentorStream } from '../../../src/domain/mentorship/streams.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { factorsOf, inADay, learnerProfile, mentorProfile, onMentor, onRequest } from './matching-support.ts';

const REQUEST_MATCH = `mutation ($input: RequestMatchInput!) { requestMatch(input: $input) { id } }`;
const ACCEPT = `mutation ($id: ID!, $n: Int!) { acceptOffer(requestId: $id, offerNumber: $n) { id } }`;
const END = `mutation ($id: ID!) { endMentorship(requestId: $id) { id status matchedMentorId viewerRole } }`;
const SCHEDULE = `mutation ($input: ScheduleSessionInput!) { scheduleSession(input: $input) { id } }`;

let api: IdentityApp;
let learner: TestUser;
let mentor: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  api = await startIdentityApp();
  [learner, mentor, stranger] = (await Promise.all(
    ['Learner', 'Mentor', 'Stranger'].map((name) => registerAndSignIn(api, name)),
  )) as [TestUser, TestUser, TestUser];
  await mentorProfile(api, mentor.id, { capacity: 2 });
  await learnerProfile(api, learner.id);
});
afterAll(async () => {
  await api?.close();
});

async function activeMentees(mentorId: string): Promise<number | undefined> {
  const { rows } = await api.runtime.pool.query<{ active_mentees: number }>(
    'select active_mentees from mentor_profiles where user_id = $1',
    [mentorId],
  );
  return rows[0]?.active_mentees;
}

async function mentorEvents() {
  const { events } = await loadAggregate(
    { store: api.runtime.store, codec: api.runtime.codec },
    mentorProfileAggregate,
    mentorStream(mentor.id),
  );
  return events.map(({ event, metadata }) => ({ event, actor: metadata.actor }));
}

/** A request the learner asks for over GraphQL, offered to the mentor by the saga's commands. */
async function offeredRequest(): Promise<string> {
  const response = await api.gql(REQUEST_MATCH, { input: { subject: 'typescript' } }, learner.accessToken);
  const requestId = fieldOf<{ id: string }>(response, 'requestMatch').id;
  await onRequest(api, requestId, {
    type: 'RecordCandidates',
    candidates: [{ mentorId: mentor.id, factors: factorsOf(0.9) }],
  });
  await onRequest(api, requestId, {
    type: 'OfferMentor',
    mentorId: mentor.id,
    offerNumber: 1,
    factors: factorsOf(0.9),
    mentorCohort: 'new',
    expiresAt: inADay(),
  });
  return requestId;
}

/** The mentor accepts over GraphQL; the saga's steps take the learner on and make the match. */
async function matchedRequest(): Promise<string> {
  const requestId = await offeredRequest();
  expect((await api.gql(ACCEPT, { id: requestId, n: 1 }, mentor.accessToken)).errors).toBeUndefined();
  await onMentor(api, mentor.id, { type: 'AddMentee', requestId, learnerId: learner.id });
  await onRequest(api, requestId, {
    type: 'MakeMatch',
    mentorId: mentor.id,
    offerNumber: 1,
    factors: factorsOf(0.9),
  });
  return requestId;
}

describe('ending a mentorship', () => {
  it('is refused before the match, and for people outside the request', async () => {
    const requestId = await offeredRequest();
    expect(errorCodes(await api.gql(END, { id: requestId }, learner.accessToken))).toEqual([
      'CONFLICT/NOT_MATCHED',
    ]);
    expect(errorCodes(await api.gql(END, { id: requestId }, stranger.accessToken))).toEqual([
      'NOT_FOUND/MATCH_REQUEST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(END, { id: requestId }))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect((await mentorEvents()).some(({ event }) => event.type === 'MenteeReleased')).toBe(false);
  });

  it('frees the mentor’s seat when the learner ends it; a repeat by the mentor changes nothing', async () => {
    const requestId = await matchedRequest();
    await vi.waitFor(async () => expect(await activeMentees(mentor.id)).toBe(1), { timeout: 5_000 });
    expect(errorCodes(await api.gql(END, { id: requestId }, stranger.accessToken))).toEqual([
      'NOT_FOUND/MATCH_REQUEST_NOT_FOUND',
    ]);

    const ended = fieldOf<{ id: string; status: string; matchedMentorId: string; viewerRole: string }>(
      await api.gql(END, { id: requestId }, learner.accessToken),
      'endMentorship',
    );
    expect(ended).toEqual({
      id: requestId,
      status: 'matched',
      matchedMentorId: mentor.id,
      viewerRole: 'learner',
    });
    const released = (await mentorEvents()).filter(({ event }) => event.type === 'MenteeReleased');
    expect(released).toEqual([
      {
        event: {
          type: 'MenteeReleased',
          data: {
            mentorId: mentor.id,
            requestId,
            learnerId: learner.id,
            reason: 'mentorship_ended',
            activeMentees: 0,
          },
        },
        actor: `user:${learner.id}`,
      },
    ]);
    await vi.waitFor(async () => expect(await activeMentees(mentor.id)).toBe(0), { timeout: 5_000 });

    const again = await api.gql(END, { id: requestId }, mentor.accessToken);
    expect(again.errors).toBeUndefined();
    expect(fieldOf<{ viewerRole: string }>(again, 'endMentorship').viewerRole).toBe('mentor');
    expect((await mentorEvents()).filter(({ event }) => event.type === 'MenteeReleased')).toHaveLength(1);
  });

  it('lets the mentor end it', async () => {
    const requestId = await matchedRequest();
    expect((await api.gql(END, { id: requestId }, mentor.accessToken)).errors).toBeUndefined();
    const released = (await mentorEvents()).filter(
      ({ event }) => event.type === 'MenteeReleased' && event.data.requestId === requestId,
    );
    expect(released.map(({ actor }) => actor)).toEqual([`user:${mentor.id}`]);
  });

  it('stops new sessions once ended', async () => {
    const requestId = await matchedRequest();
    const input = (days: number) => ({
      matchRequestId: requestId,
      startsAt: new Date(Date.now() + days * 86_400_000).toISOString(),
      durationMinutes: 30,
    });
    expect((await api.gql(SCHEDULE, { input: input(3) }, learner.accessToken)).errors).toBeUndefined();
    expect((await api.gql(END, { id: requestId }, mentor.accessToken)).errors).toBeUndefined();
    expect(errorCodes(await api.gql(SCHEDULE, { input: input(4) }, learner.accessToken))).toEqual([
      'CONFLICT/MENTORSHIP_ENDED',
    ]);
  });
});
