import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiProvider } from '../../../src/ai/create-ai-provider.ts';
import { buildApp } from '../../../src/api/app.ts';
import { handleCommand } from '../../../src/commands/handle-command.ts';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { loadConfig } from '../../../src/config.ts';
import { calendarAggregate, SESSION_HOLD_MS } from '../../../src/domain/mentorship/calendar-decider.ts';
import type { MatchRequestCommand } from '../../../src/domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../../src/domain/mentorship/match-request-decider.ts';
import { sessionAggregate } from '../../../src/domain/mentorship/session-decider.ts';
import {
  calendarStream,
  matchRequestStream,
  mentorSessionStream,
} from '../../../src/domain/mentorship/streams.ts';
import type { Actor } from '../../../src/domain/shared/decider.ts';
import { createLogger } from '../../../src/logger.ts';
import { Projector } from '../../../src/projections/projector.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { apiServices } from '../../../src/roles/api-services.ts';
import { openRuntime, type Runtime } from '../../../src/roles/runtime.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import { createVideoRoomProvider } from '../../../src/video-rooms/create-video-rooms.ts';
import type { VideoRoomProvider } from '../../../src/video-rooms/port.ts';
import { type DailyTestServer, startDailyTestServer } from '../../support/daily-test-server.ts';
import { freshDatabase } from '../../support/database.ts';
import { errorCodes, fieldOf, type GraphQLResponse, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { freshEmail, PASSWORD } from '../support/identity-operations.ts';

/**
 * Sessions through GraphQL on a real app and projector (as `startIdentityApp` builds it, plus the
 * video room provider under test). Matches are made by issuing the match request's commands
 * through the real command pipeline, as the matching saga would.
 */
interface SessionsApp {
  runtime: Runtime;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

async function startSessionsApp(videoRooms: VideoRoomProvider): Promise<SessionsApp> {
  const databaseUrl = await freshDatabase('sessions');
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({ AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: '/nonexistent-chronicle-test' });
  const runtime = await openRuntime(config, log, databaseUrl);
  const { store, pool, bus, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 200 });
  await projector.start();
  const app = await buildApp({
    log,
    version: 'test',
    readinessChecks: {},
    graphiql: false,
    limits: { requests: { max: 100_000 }, logins: { max: 10_000 } },
    services: apiServices(runtime, {
      log,
      authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
      ai: createAiProvider({}),
      readYourWritesTimeoutMs: 5_000,
      videoRooms,
    }),
  });
  return {
    runtime,
    async gql(query, variables = {}, token) {
      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        payload: { query, variables },
      });
      return response.json<GraphQLResponse>();
    },
    async close() {
      await app.close();
      await projector.stop();
      await runtime.close();
    },
  };
}

interface Person {
  id: string;
  token: string;
}

async function person(api: SessionsApp, role: 'user' | 'admin' = 'user'): Promise<Person> {
  const email = freshEmail();
  const registered = await api.gql(`mutation ($input: RegisterInput!) { register(input: $input) { id } }`, {
    input: { email, password: PASSWORD, displayName: 'Someone' },
  });
  const { id } = fieldOf<{ id: string }>(registered, 'register');
  if (role === 'admin') {
    const { store, codec, keys } = api.runtime;
    const result = await setRole(
      { store, codec, keys, log: createLogger('silent') },
      { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
      { userId: id, role: 'admin' },
    );
    if (result.position !== null) {
      await waitForPosition(api.runtime.pool, api.runtime.bus, result.position, { timeoutMs: 5000 });
    }
  }
  const login = await api.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
    input: { email, password: PASSWORD },
  });
  return { id, token: fieldOf<{ accessToken: string }>(login, 'login').accessToken };
}

const SYSTEM: Actor = { kind: 'system', process: 'matching' };
const asUser = (userId: string): Actor => ({ kind: 'user', userId, role: 'user' });
const factors = { subject: 1, style: 1, language: 1, availability: 1, timezone: 1, history: 0, score: 0.9 };

/** A match request driven to MatchMade (or only requested), through the command pipeline. */
async function match(api: SessionsApp, learner: Person, mentor: Person, { made = true } = {}) {
  const requestId = randomUUID();
  const { store, codec } = api.runtime;
  const issue = (actor: Actor, command: MatchRequestCommand) =>
    handleCommand({ store, codec }, matchRequestAggregate, matchRequestStream(requestId), {
      commandId: randomUUID(),
      actor,
      now: new Date(),
      command,
    });
  await issue(asUser(learner.id), {
    type: 'RequestMatch',
    requestId,
    learnerId: learner.id,
    subject: 'typescript',
    learnerHasProfile: true,
  });
  if (!made) return requestId;
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  await issue(SYSTEM, {
    type: 'OfferMentor',
    mentorId: mentor.id,
    offerNumber: 1,
    factors,
    mentorCohort: 'new',
    expiresAt,
  });
  await issue(asUser(mentor.id), { type: 'AcceptOffer', offerNumber: 1 });
  await issue(SYSTEM, { type: 'MakeMatch', mentorId: mentor.id, offerNumber: 1, factors });
  return requestId;
}

const SESSION_FIELDS = `id matchRequestId mentorId learnerId startsAt endsAt durationMinutes status startedAt endedAt
  durationSeconds room { provider name url hasMedia } mentorRating learnerRating`;
const SCHEDULE = `mutation ($input: ScheduleSessionInput!, $key: String) {
  scheduleSession(input: $input, idempotencyKey: $key) { ${SESSION_FIELDS} } }`;

interface SessionView {
  id: string;
  status: string;
  startsAt: string;
  endsAt: string;
  durationSeconds: number | null;
  room: { provider: string; name: string; url: string; hasMedia: boolean };
  mentorRating: number | null;
  learnerRating: number | null;
}

/** Sessions start at whole hours a day or more ahead, so tests never race the clock. */
const at = (hoursAhead: number, minutes = 0) => {
  const base = new Date(Date.now() + 2 * 86_400_000);
  base.setUTCMinutes(0, 0, 0);
  return new Date(base.getTime() + hoursAhead * 3_600_000 + minutes * 60_000).toISOString();
};

async function schedule(
  api: SessionsApp,
  who: Person,
  matchRequestId: string,
  startsAt: string,
  durationMinutes = 60,
) {
  return api.gql(SCHEDULE, { input: { matchRequestId, startsAt, durationMinutes } }, who.token);
}

const sessionOf = (response: GraphQLResponse): SessionView => {
  expect(response.errors).toBeUndefined();
  return response.data?.scheduleSession as SessionView;
};

async function bookings(api: SessionsApp, userId: string) {
  const { state } = await loadAggregate(api.runtime, calendarAggregate, calendarStream(userId));
  return Object.keys(state.bookings);
}

/** A MatchRequested of a fresh request, as a marker in `$all`: its position. */
async function marker(api: SessionsApp, learner: Person): Promise<bigint> {
  const requestId = randomUUID();
  const { store, codec } = api.runtime;
  const result = await handleCommand({ store, codec }, matchRequestAggregate, matchRequestStream(requestId), {
    commandId: randomUUID(),
    actor: asUser(learner.id),
    now: new Date(),
    command: {
      type: 'RequestMatch',
      requestId,
      learnerId: learner.id,
      subject: 'marker',
      learnerHasProfile: true,
    },
  });
  if (result.position === null) throw new Error('the marker was not written');
  return result.position;
}

/** Every event written from `from` to `to` (both included), once `$all` readers see `to`. */
async function eventsBetween(api: SessionsApp, from: bigint, to: bigint) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const events = await api.runtime.store.readAll({ fromPosition: from });
    if (events.some((e) => e.position === to)) return events.filter((e) => e.position <= to);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the closing marker never became visible');
}

describe('mentorship sessions (local rooms)', () => {
  let api: SessionsApp;
  beforeAll(async () => {
    api = await startSessionsApp(createVideoRoomProvider({}));
  });
  afterAll(() => api.close());

  it('schedule → start → end → rate both sides, and the learner’s rating feeds mentor_stats', async () => {
    const [learner, mentor, stranger, admin] = await Promise.all([
      person(api),
      person(api),
      person(api),
      person(api, 'admin'),
    ]);
    const requestId = await match(api, learner, mentor);
    const startsAt = new Date(Date.now() + 10 * 60_000).toISOString();
    const scheduled = sessionOf(await schedule(api, learner, requestId, startsAt, 45));
    expect(scheduled).toMatchObject({
      status: 'scheduled',
      mentorId: mentor.id,
      learnerId: learner.id,
      durationMinutes: 45,
      room: {
        provider: 'local',
        name: scheduled.id,
        url: `local://no-media/${scheduled.id}`,
        hasMedia: false,
      },
    });
    expect(await bookings(api, mentor.id)).toEqual([scheduled.id]);
    expect(await bookings(api, learner.id)).toEqual([scheduled.id]);

    const id = scheduled.id;
    const started = await api.gql(
      `mutation ($id: ID!) { startSession(id: $id) { status startedAt } }`,
      { id },
      mentor.token,
    );
    expect(started.data?.startSession).toMatchObject({ status: 'started' });
    const noted = await api.gql(
      `mutation ($id: ID!, $notes: String!) { addSessionNotes(id: $id, notes: $notes) { myNotes { authorId text } } }`,
      { id, notes: 'Practise generics' },
      learner.token,
    );
    expect(noted.data?.addSessionNotes).toEqual({
      myNotes: [{ authorId: learner.id, text: 'Practise generics' }],
    });
    const ended = await api.gql(
      `mutation ($id: ID!) { endSession(id: $id) { status durationSeconds endedAt } }`,
      { id },
      learner.token,
    );
    expect(ended.data?.endSession).toMatchObject({ status: 'ended' });
    expect(fieldOf<SessionView>(ended, 'endSession').durationSeconds).toBeGreaterThanOrEqual(0);

    const RATE = `mutation ($id: ID!, $rating: Int!, $comment: String) {
      rateSession(id: $id, rating: $rating, comment: $comment) { mentorRating learnerRating ratings { by rating comment } } }`;
    expect(errorCodes(await api.gql(RATE, { id, rating: 5 }, stranger.token))).toEqual([
      'FORBIDDEN/NOT_A_PARTICIPANT',
    ]);
    expect(errorCodes(await api.gql(RATE, { id, rating: 9 }, learner.token))).toEqual([
      'VALIDATION/INVALID_RATING',
    ]);
    await api.gql(RATE, { id, rating: 5, comment: 'Clear and patient' }, learner.token);
    expect(errorCodes(await api.gql(RATE, { id, rating: 1 }, learner.token))).toEqual([
      'CONFLICT/ALREADY_RATED',
    ]);
    const rated = await api.gql(RATE, { id, rating: 4 }, mentor.token);
    expect(rated.data?.rateSession).toEqual({
      mentorRating: 4,
      learnerRating: 5,
      ratings: [
        { by: 'mentor', rating: 4, comment: null },
        { by: 'learner', rating: 5, comment: 'Clear and patient' },
      ],
    });
    const { rows } = await api.runtime.pool.query('select * from mentor_stats where mentor_id = $1', [
      mentor.id,
    ]);
    expect(rows).toEqual([{ mentor_id: mentor.id, completed_sessions: 1, rating_count: 1, rating_sum: 5 }]);

    const READ = `query ($id: ID!) { mentorshipSession(id: $id) { id status myNotes { text } } }`;
    expect((await api.gql(READ, { id }, stranger.token)).data?.mentorshipSession).toBeNull();
    expect((await api.gql(READ, { id }, admin.token)).data?.mentorshipSession).toEqual({
      id,
      status: 'ended',
      myNotes: [],
    });
    expect((await api.gql(READ, { id }, mentor.token)).data?.mentorshipSession).toEqual({
      id,
      status: 'ended',
      myNotes: [],
    });

    const LIST = `query ($status: MentorshipSessionStatus) { mentorshipSessions(status: $status) { totalCount nodes { id } } }`;
    for (const who of [learner, mentor]) {
      expect((await api.gql(LIST, { status: 'ended' }, who.token)).data?.mentorshipSessions).toEqual({
        totalCount: 1,
        nodes: [{ id }],
      });
      expect((await api.gql(LIST, { status: 'scheduled' }, who.token)).data?.mentorshipSessions).toEqual({
        totalCount: 0,
        nodes: [],
      });
    }
    expect((await api.gql(LIST, {}, stranger.token)).data?.mentorshipSessions).toEqual({
      totalCount: 0,
      nodes: [],
    });

    // Forgetting the learner erases their rating comment (personal data), not the rating.
    const forgotten = await api.gql(`mutation { forgetUser { erasedAt } }`, {}, learner.token);
    expect(forgotten.errors).toBeUndefined();
    const RATINGS = `query ($id: ID!) { mentorshipSession(id: $id) { ratings { by rating comment } } }`;
    expect((await api.gql(RATINGS, { id }, mentor.token)).data?.mentorshipSession).toEqual({
      ratings: [
        { by: 'mentor', rating: 4, comment: null },
        { by: 'learner', rating: 5, comment: null },
      ],
    });
  });

  it('refuses double booking on the mentor’s and on the learner’s calendar, and undoes the half-made booking', async () => {
    const [learner, otherLearner, mentor, otherMentor] = await Promise.all([
      person(api),
      person(api),
      person(api),
      person(api),
    ]);
    const withMentor = await match(api, learner, mentor);
    const otherWithMentor = await match(api, otherLearner, mentor);
    const withOtherMentor = await match(api, learner, otherMentor);
    const first = sessionOf(await schedule(api, learner, withMentor, at(1)));

    const mentorBusy = await schedule(api, otherLearner, otherWithMentor, at(1, 30));
    expect(errorCodes(mentorBusy)).toEqual(['CONFLICT/DOUBLE_BOOKED']);
    expect(mentorBusy.errors?.[0]?.extensions).toMatchObject({ calendar: 'mentor' });

    const learnerBusy = await schedule(api, otherMentor, withOtherMentor, at(0, 15));
    expect(errorCodes(learnerBusy)).toEqual(['CONFLICT/DOUBLE_BOOKED']);
    expect(learnerBusy.errors?.[0]?.extensions).toMatchObject({ calendar: 'learner' });
    // The other mentor's calendar was booked first, then released when the learner's refused.
    expect(await bookings(api, otherMentor.id)).toEqual([]);
    const released = await api.runtime.store.readStream(calendarStream(otherMentor.id));
    expect(released.map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
      ['CalendarSlotBooked', undefined],
      ['CalendarSlotReleased', 'scheduling_failed'],
    ]);
    expect(await bookings(api, mentor.id)).toEqual([first.id]);
    expect(await bookings(api, learner.id)).toEqual([first.id]);

    // Back to back is fine, on both calendars.
    sessionOf(await schedule(api, otherLearner, otherWithMentor, at(2)));
    sessionOf(await schedule(api, otherMentor, withOtherMentor, at(0)));
  });

  it('of parallel overlapping schedulings for one mentor exactly one wins', async () => {
    const mentor = await person(api);
    const learners = await Promise.all([person(api), person(api), person(api), person(api)]);
    const requests = await Promise.all(learners.map((learner) => match(api, learner, mentor)));
    const results = await Promise.all(
      learners.map((learner, index) => schedule(api, learner, requests[index] ?? '', at(3, index * 10))),
    );
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => errorCodes(r)[0] === 'CONFLICT/DOUBLE_BOOKED')).toHaveLength(3);
    const winner = sessionOf(winners[0] ?? { data: null });
    expect(await bookings(api, mentor.id)).toEqual([winner.id]);
    const learnerBookings = await Promise.all(learners.map((l) => bookings(api, l.id)));
    expect(learnerBookings.flat()).toEqual([winner.id]);
  });

  it('cancelling frees both calendars for another session', async () => {
    const [learner, mentor] = await Promise.all([person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    const first = sessionOf(await schedule(api, learner, requestId, at(4)));
    const cancelled = await api.gql(
      `mutation ($id: ID!, $reason: String) { cancelSession(id: $id, reason: $reason) { status } }`,
      { id: first.id, reason: 'Travelling' },
      mentor.token,
    );
    expect(cancelled.data?.cancelSession).toEqual({ status: 'cancelled' });
    expect(await bookings(api, mentor.id)).toEqual([]);
    expect(await bookings(api, learner.id)).toEqual([]);
    const again = sessionOf(await schedule(api, mentor, requestId, at(4)));
    expect(await bookings(api, mentor.id)).toEqual([again.id]);
    const start = await api.gql(
      `mutation ($id: ID!) { startSession(id: $id) { status } }`,
      { id: first.id },
      mentor.token,
    );
    expect(errorCodes(start)).toEqual(['CONFLICT/SESSION_CANCELLED']);
  });

  it('a booking left by a crashed scheduler blocks only while its hold lasts', async () => {
    const [learner, mentor, learner2] = await Promise.all([person(api), person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    const request2 = await match(api, learner2, mentor);
    const { store, codec } = api.runtime;
    // What a scheduler that died after booking the mentor's calendar leaves behind.
    const crash = (sessionId: string, startsAt: string, bookedAgoMs: number) =>
      handleCommand({ store, codec }, calendarAggregate, calendarStream(mentor.id), {
        commandId: randomUUID(),
        actor: asUser(learner.id),
        now: new Date(Date.now() - bookedAgoMs),
        command: {
          type: 'BookSlot',
          userId: mentor.id,
          sessionId,
          startsAt,
          endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
          participants: [mentor.id, learner.id],
          overlapping: {},
        },
      });
    const fresh = randomUUID();
    const stale = randomUUID();
    await crash(fresh, at(5), 0);
    await crash(stale, at(7), SESSION_HOLD_MS + 1_000);

    expect(errorCodes(await schedule(api, learner2, request2, at(5)))).toEqual(['CONFLICT/DOUBLE_BOOKED']);
    const freed = sessionOf(await schedule(api, learner2, request2, at(7)));
    expect((await bookings(api, mentor.id)).sort()).toEqual([fresh, freed.id].sort());
    const staleSession = await api.runtime.store.readStream(mentorSessionStream(stale));
    expect(staleSession.map((e) => e.type)).toEqual(['MentorshipSessionHoldExpired']);

    // The crashed scheduler coming back late cannot record its session on the freed time.
    const late = handleCommand({ store, codec }, sessionAggregate, mentorSessionStream(stale), {
      commandId: randomUUID(),
      actor: asUser(learner.id),
      now: new Date(),
      command: {
        type: 'ScheduleSession',
        sessionId: stale,
        matchRequestId: requestId,
        match: { requestId, learnerId: learner.id, mentorId: mentor.id, matched: true, ended: false },
        startsAt: at(7),
        durationMinutes: 60,
        room: { provider: 'local', roomName: stale, url: `local://no-media/${stale}`, hasMedia: false },
      },
    });
    await expect(late).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SESSION_HOLD_EXPIRED' });
  });

  it('refused requests write nothing', async () => {
    const [learner, mentor, stranger] = await Promise.all([person(api), person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    const unmatched = await match(api, learner, mentor, { made: false });
    const before = await marker(api, learner);
    const refusals: [GraphQLResponse, string][] = [
      [await schedule(api, stranger, requestId, at(8)), 'FORBIDDEN/NOT_A_PARTICIPANT'],
      [await schedule(api, learner, requestId, at(8), 10), 'VALIDATION/INVALID_DURATION'],
      [await schedule(api, learner, requestId, at(8), 181), 'VALIDATION/INVALID_DURATION'],
      [
        await schedule(api, learner, requestId, new Date(Date.now() - 60_000).toISOString()),
        'VALIDATION/START_IN_PAST',
      ],
      [await schedule(api, learner, unmatched, at(8)), 'CONFLICT/NOT_MATCHED'],
      [await schedule(api, learner, randomUUID(), at(8)), 'NOT_FOUND/MATCH_REQUEST_NOT_FOUND'],
      [await schedule(api, learner, 'not-a-uuid', at(8)), 'VALIDATION/INVALID_INPUT'],
      [
        await api.gql(SCHEDULE, {
          input: { matchRequestId: requestId, startsAt: at(8), durationMinutes: 30 },
        }),
        'UNAUTHENTICATED/SIGN_IN_REQUIRED',
      ],
    ];
    for (const [response, code] of refusals) expect(errorCodes(response)).toEqual([code]);
    const after = await marker(api, learner);
    // Only the two markers: nothing in between.
    expect((await eventsBetween(api, before, after)).map((e) => e.position)).toEqual([before, after]);
    expect(await bookings(api, mentor.id)).toEqual([]);
  });
});

describe('mentorship sessions with Daily.co rooms', () => {
  let api: SessionsApp;
  let daily: DailyTestServer;
  beforeAll(async () => {
    daily = await startDailyTestServer();
    api = await startSessionsApp(
      createVideoRoomProvider(
        { DAILY_API_KEY: daily.apiKey, DAILY_API_URL: daily.baseUrl },
        { timeoutMs: 1_000 },
      ),
    );
  });
  afterAll(async () => {
    await api.close();
    await daily.close();
  });

  it('makes a private Daily room for the session and deletes it when the session is cancelled', async () => {
    const [learner, mentor] = await Promise.all([person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    const session = sessionOf(await schedule(api, learner, requestId, at(1)));
    expect(session.room).toEqual({
      provider: 'daily',
      name: session.id,
      url: `https://chronicle-test.daily.co/${session.id}`,
      hasMedia: true,
    });
    expect(daily.rooms.get(session.id)).toMatchObject({ privacy: 'private' });
    await api.gql(
      `mutation ($id: ID!) { cancelSession(id: $id) { status } }`,
      { id: session.id },
      learner.token,
    );
    expect(daily.rooms.has(session.id)).toBe(false);
  });

  it('a Daily outage refuses the scheduling as RATE_LIMITED and frees both calendars', async () => {
    const [learner, mentor] = await Promise.all([person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    daily.failNext({ kind: 'status', status: 503 });
    const refused = await schedule(api, learner, requestId, at(2));
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED/VIDEO_ROOM_UNAVAILABLE']);
    expect(await bookings(api, mentor.id)).toEqual([]);
    expect(await bookings(api, learner.id)).toEqual([]);
    // Trying again works.
    const session = sessionOf(await schedule(api, learner, requestId, at(2)));
    expect(daily.rooms.has(session.id)).toBe(true);
  });

  it('a retry of a scheduling that went through finds its session, even while Daily is down', async () => {
    const [learner, mentor] = await Promise.all([person(api), person(api)]);
    const requestId = await match(api, learner, mentor);
    const input = {
      input: { matchRequestId: requestId, startsAt: at(3), durationMinutes: 60 },
      key: 'schedule-once',
    };
    const first = sessionOf(await api.gql(SCHEDULE, input, learner.token));
    daily.failNext({ kind: 'status', status: 503 });
    const retried = sessionOf(await api.gql(SCHEDULE, input, learner.token));
    expect(retried.id).toBe(first.id);
    // The calendars still hold the session: nothing was undone by the retry.
    expect(await bookings(api, mentor.id)).toEqual([first.id]);
    expect(await bookings(api, learner.id)).toEqual([first.id]);
  });
});
