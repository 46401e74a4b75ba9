import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

const MENTOR_FIELDS = `userId subjects { subject level } styles languages availability { day start end }
  timeZone capacity activeMentees accepting lastOfferedAt`;
const LEARNER_FIELDS = `userId goals subjects preferredStyle languages availability { day start end } timeZone`;
const UPSERT_MENTOR = `mutation ($input: MentorProfileInput!) { upsertMentorProfile(input: $input) { ${MENTOR_FIELDS} } }`;
const UPSERT_LEARNER = `mutation ($input: LearnerProfileInput!) { upsertLearnerProfile(input: $input) { ${LEARNER_FIELDS} } }`;
const MY_MENTOR = `{ myMentorProfile { ${MENTOR_FIELDS} } }`;
const MY_LEARNER = `{ myLearnerProfile { ${LEARNER_FIELDS} } }`;
const MENTOR = `query ($id: ID!) { mentorProfile(userId: $id) { ${MENTOR_FIELDS} } }`;

const mentorInput = {
  subjects: [{ subject: ' TypeScript ', level: 'expert' }],
  styles: ['socratic', 'hands-on'],
  languages: ['EN', 'de'],
  availability: [{ day: 0, start: '18:00', end: '20:00' }],
  timeZone: 'Europe/Berlin',
  capacity: 3,
  accepting: true,
};
const learnerInput = {
  goals: ['Ship a typed library'],
  subjects: ['TypeScript'],
  preferredStyle: 'socratic',
  languages: ['en'],
  availability: [{ day: 0, start: '17:00', end: '19:00' }],
  timeZone: 'Europe/London',
};

let api: IdentityApp;
let mentor: TestUser;
let learner: TestUser;

beforeAll(async () => {
  api = await startIdentityApp();
  mentor = await registerAndSignIn(api, 'Mentor');
  learner = await registerAndSignIn(api, 'Learner');
});
afterAll(async () => {
  await api?.close();
});

describe('mentor profiles', () => {
  it('are written whole, normalised, and read back by the mentor and by anyone signed in', async () => {
    expect((await api.gql(MY_MENTOR, {}, mentor.accessToken)).data?.myMentorProfile).toBeNull();
    const written = fieldOf<Record<string, unknown>>(
      await api.gql(UPSERT_MENTOR, { input: mentorInput }, mentor.accessToken),
      'upsertMentorProfile',
    );
    const expected = {
      userId: mentor.id,
      subjects: [{ subject: 'typescript', level: 'expert' }],
      styles: ['socratic', 'hands-on'],
      languages: ['en', 'de'],
      availability: [{ day: 0, start: '18:00', end: '20:00' }],
      timeZone: 'Europe/Berlin',
      capacity: 3,
      activeMentees: 0,
      accepting: true,
      lastOfferedAt: null,
    };
    expect(written).toEqual(expected);
    expect(fieldOf(await api.gql(MY_MENTOR, {}, mentor.accessToken), 'myMentorProfile')).toEqual(expected);
    expect(fieldOf(await api.gql(MENTOR, { id: mentor.id }, learner.accessToken), 'mentorProfile')).toEqual(
      expected,
    );
    const changed = await api.gql(
      UPSERT_MENTOR,
      { input: { ...mentorInput, accepting: false } },
      mentor.accessToken,
    );
    expect(fieldOf<{ accepting: boolean }>(changed, 'upsertMentorProfile').accepting).toBe(false);
  });

  it('leave with their mentor: a forgotten mentor is no longer shown or ranked', async () => {
    const leaving = await registerAndSignIn(api, 'Leaving Mentor');
    fieldOf(await api.gql(UPSERT_MENTOR, { input: mentorInput }, leaving.accessToken), 'upsertMentorProfile');
    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, leaving.accessToken), 'forgetUser');
    await expect
      .poll(async () => (await api.gql(MENTOR, { id: leaving.id }, learner.accessToken)).data?.mentorProfile)
      .toBeNull();
    const { rows } = await api.runtime.pool.query('select 1 from mentor_profiles where user_id = $1', [
      leaving.id,
    ]);
    expect(rows).toEqual([]);
  });

  it('need a signed-in caller', async () => {
    expect(errorCodes(await api.gql(UPSERT_MENTOR, { input: mentorInput }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
    expect(errorCodes(await api.gql(MENTOR, { id: mentor.id }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
  });

  it('refuse invalid values and write nothing', async () => {
    const someone = await registerAndSignIn(api, 'Someone');
    const cases: [Record<string, unknown>, string][] = [
      [{ timeZone: 'Mars/Base' }, 'VALIDATION/INVALID_TIME_ZONE'],
      [{ capacity: 0 }, 'VALIDATION/INVALID_CAPACITY'],
      [{ subjects: [] }, 'VALIDATION/SUBJECT_REQUIRED'],
      [{ availability: [{ day: 9, start: '10:00', end: '11:00' }] }, 'VALIDATION/INVALID_AVAILABILITY'],
      [{ styles: ['lecturing'] }, 'VALIDATION/INVALID_INPUT'],
    ];
    for (const [changes, code] of cases) {
      const response = await api.gql(
        UPSERT_MENTOR,
        { input: { ...mentorInput, ...changes } },
        someone.accessToken,
      );
      expect(errorCodes(response)).toEqual([code]);
    }
    const mine = await api.gql(MY_MENTOR, {}, someone.accessToken);
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.myMentorProfile).toBeNull();
  });
});

describe('learner profiles', () => {
  it('are the learner’s own, goals included', async () => {
    const written = fieldOf<Record<string, unknown>>(
      await api.gql(UPSERT_LEARNER, { input: learnerInput }, learner.accessToken),
      'upsertLearnerProfile',
    );
    const expected = {
      userId: learner.id,
      goals: ['Ship a typed library'],
      subjects: ['typescript'],
      preferredStyle: 'socratic',
      languages: ['en'],
      availability: [{ day: 0, start: '17:00', end: '19:00' }],
      timeZone: 'Europe/London',
    };
    expect(written).toEqual(expected);
    expect(fieldOf(await api.gql(MY_LEARNER, {}, learner.accessToken), 'myLearnerProfile')).toEqual(expected);
    const other = await api.gql(MY_LEARNER, {}, mentor.accessToken);
    expect(other.data?.myLearnerProfile).toBeNull();
  });

  it('stores goals encrypted in the event store, not in plain text', async () => {
    const { rows } = await api.runtime.pool.query<{ data: unknown }>(
      `select data from es_events where stream_name = $1`,
      [`learner-${learner.id}`],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('Ship a typed library');
  });

  it('refuse too many goals, writing nothing', async () => {
    const someone = await registerAndSignIn(api, 'Someone Else');
    const goals = Array.from({ length: 11 }, (_, i) => `goal ${i}`);
    expect(
      errorCodes(await api.gql(UPSERT_LEARNER, { input: { ...learnerInput, goals } }, someone.accessToken)),
    ).toEqual(['VALIDATION/TOO_MANY_GOALS']);
    expect((await api.gql(MY_LEARNER, {}, someone.accessToken)).data?.myLearnerProfile).toBeNull();
  });
});
