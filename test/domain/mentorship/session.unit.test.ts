import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { SESSION_HOLD_MS } from '../../../src/domain/mentorship/calendar-decider.ts';
import type { MatchFacts, SessionCommand } from '../../../src/domain/mentorship/session-commands.ts';
import { sessionDecider } from '../../../src/domain/mentorship/session-decider.ts';
import type { SessionEvent } from '../../../src/domain/mentorship/session-events.ts';
import { anAdmin, asUser, by, minutes, shift, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(sessionDecider);
const now = new Date('2030-01-10T08:00:00.000Z');
const room = { provider: 'local', roomName: 'r', url: 'local://no-media/r', hasMedia: false };

function fixture() {
  const sessionId = randomUUID();
  const matchRequestId = randomUUID();
  const mentorId = randomUUID();
  const learnerId = randomUUID();
  const match: MatchFacts = { requestId: matchRequestId, learnerId, mentorId, matched: true, ended: false };
  const schedule = (
    overrides: Partial<Extract<SessionCommand, { type: 'ScheduleSession' }>> = {},
  ): SessionCommand => ({
    type: 'ScheduleSession',
    sessionId,
    matchRequestId,
    match,
    startsAt: '2030-01-10T10:00:00+02:00',
    durationMinutes: 45,
    room: { ...room, roomName: sessionId },
    ...overrides,
  });
  const scheduled: SessionEvent = {
    type: 'MentorshipSessionScheduled',
    data: {
      sessionId,
      matchRequestId,
      mentorId,
      learnerId,
      startsAt: '2030-01-10T08:00:00.000Z',
      endsAt: '2030-01-10T08:45:00.000Z',
      durationMinutes: 45,
      room: { ...room, roomName: sessionId },
      scheduledBy: learnerId,
    },
  };
  const startedAt = '2030-01-10T08:02:00.000Z';
  const started: SessionEvent = {
    type: 'MentorshipSessionStarted',
    data: { sessionId, startedBy: mentorId, startedAt },
  };
  const ended: SessionEvent = {
    type: 'MentorshipSessionEnded',
    data: { sessionId, endedBy: learnerId, endedAt: '2030-01-10T08:42:30.000Z', durationSeconds: 2430 },
  };
  return {
    sessionId,
    matchRequestId,
    mentorId,
    learnerId,
    match,
    schedule,
    scheduled,
    started,
    ended,
    startedAt,
  };
}

const earlier = shift(now, -minutes(60));

describe('scheduling a session', () => {
  it('records the matched pair, the time in UTC and the room', () => {
    const f = fixture();
    spec
      .given([])
      .when(f.schedule(), by(asUser(f.learnerId), earlier))
      .then([f.scheduled]);
  });

  it('is for the matched mentor and learner only', () => {
    const f = fixture();
    spec
      .given([])
      .when(f.schedule(), by(asUser(randomUUID()), earlier))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
    spec.given([]).when(f.schedule(), by(anAdmin(), earlier)).thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
  });

  it('needs a matched request', () => {
    const f = fixture();
    spec
      .given([])
      .when(f.schedule({ match: null }), by(asUser(f.learnerId), earlier))
      .thenThrows('NOT_FOUND', 'MATCH_REQUEST_NOT_FOUND');
    spec
      .given([])
      .when(
        f.schedule({ match: { ...f.match, matched: false, mentorId: null } }),
        by(asUser(f.learnerId), earlier),
      )
      .thenThrows('CONFLICT', 'NOT_MATCHED');
  });

  it('is refused once the mentorship was ended', () => {
    const f = fixture();
    spec
      .given([])
      .when(f.schedule({ match: { ...f.match, ended: true } }), by(asUser(f.learnerId), earlier))
      .thenThrows('CONFLICT', 'MENTORSHIP_ENDED');
  });

  it('takes 15 to 180 minutes, in the future, at most a year ahead', () => {
    const f = fixture();
    const learner = by(asUser(f.learnerId), earlier);
    spec
      .given([])
      .when(f.schedule({ durationMinutes: 14 }), learner)
      .thenThrows('VALIDATION', 'INVALID_DURATION');
    spec
      .given([])
      .when(f.schedule({ durationMinutes: 181 }), learner)
      .thenThrows('VALIDATION', 'INVALID_DURATION');
    spec
      .given([])
      .when(f.schedule({ durationMinutes: 30.5 }), learner)
      .thenThrows('VALIDATION', 'INVALID_DURATION');
    spec
      .given([])
      .when(f.schedule({ startsAt: 'soon' }), learner)
      .thenThrows('VALIDATION', 'INVALID_START');
    spec
      .given([])
      .when(f.schedule(), by(asUser(f.learnerId), now))
      .thenThrows('VALIDATION', 'START_IN_PAST');
    spec
      .given([])
      .when(f.schedule({ startsAt: '2031-02-01T00:00:00Z' }), learner)
      .thenThrows('VALIDATION', 'START_TOO_FAR_AHEAD');
  });

  it('cannot record a session twice, nor one whose booking hold expired', () => {
    const f = fixture();
    spec
      .given([f.scheduled])
      .when(f.schedule(), by(asUser(f.learnerId), earlier))
      .thenThrows('CONFLICT', 'SESSION_EXISTS');
    spec
      .given([
        {
          type: 'MentorshipSessionHoldExpired',
          data: { sessionId: f.sessionId, heldSince: earlier.toISOString(), at: now.toISOString() },
        },
      ])
      .when(f.schedule(), by(asUser(f.learnerId), earlier))
      .thenThrows('CONFLICT', 'SESSION_HOLD_EXPIRED');
  });
});

describe('expiring a booking hold (a scheduler crashed between booking and recording)', () => {
  it('marks a never-recorded session dead once the hold ran out', () => {
    const f = fixture();
    const heldSince = shift(now, -SESSION_HOLD_MS).toISOString();
    spec
      .given([])
      .when(
        { type: 'ExpireSessionHold', sessionId: f.sessionId, heldSince },
        by(theSystem('mentorship'), now),
      )
      .then([
        {
          type: 'MentorshipSessionHoldExpired',
          data: { sessionId: f.sessionId, heldSince, at: now.toISOString() },
        },
      ]);
  });

  it('refuses while the hold lasts, once the session was recorded, and for anyone but the system', () => {
    const f = fixture();
    const young = {
      type: 'ExpireSessionHold',
      sessionId: f.sessionId,
      heldSince: shift(now, -SESSION_HOLD_MS + 1000).toISOString(),
    } as const;
    const old = { ...young, heldSince: shift(now, -SESSION_HOLD_MS).toISOString() };
    spec
      .given([])
      .when(young, by(theSystem('mentorship'), now))
      .thenThrows('CONFLICT', 'HOLD_NOT_EXPIRED');
    spec
      .given([f.scheduled])
      .when(old, by(theSystem('mentorship'), now))
      .thenThrows('CONFLICT', 'SESSION_EXISTS');
    spec
      .given([])
      .when(old, by(asUser(f.learnerId), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });
});

describe('running a session', () => {
  it('starts from 15 minutes before its time, by a participant', () => {
    const f = fixture();
    const at = shift(new Date('2030-01-10T08:00:00Z'), -minutes(15));
    spec
      .given([f.scheduled])
      .when({ type: 'StartSession' }, by(asUser(f.mentorId), at))
      .then([
        {
          type: 'MentorshipSessionStarted',
          data: { sessionId: f.sessionId, startedBy: f.mentorId, startedAt: at.toISOString() },
        },
      ]);
    spec
      .given([f.scheduled])
      .when({ type: 'StartSession' }, by(asUser(f.mentorId), shift(at, -1000)))
      .thenThrows('CONFLICT', 'TOO_EARLY_TO_START');
    spec
      .given([f.scheduled])
      .when({ type: 'StartSession' }, by(asUser(f.mentorId), new Date('2030-01-10T08:45:00Z')))
      .thenThrows('CONFLICT', 'SESSION_TIME_PASSED');
    spec
      .given([f.scheduled])
      .when({ type: 'StartSession' }, by(anAdmin(), at))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
    spec
      .given([f.scheduled, f.started])
      .when({ type: 'StartSession' }, by(asUser(f.learnerId), at))
      .thenNothing();
  });

  it('ends a started session with its duration in seconds', () => {
    const f = fixture();
    spec
      .given([f.scheduled, f.started])
      .when({ type: 'EndSession' }, by(asUser(f.learnerId), new Date('2030-01-10T08:42:30.000Z')))
      .then([f.ended]);
    spec
      .given([f.scheduled])
      .when({ type: 'EndSession' }, by(asUser(f.learnerId), now))
      .thenThrows('CONFLICT', 'SESSION_NOT_STARTED');
    spec
      .given([f.scheduled, f.started, f.ended])
      .when({ type: 'EndSession' }, by(asUser(f.mentorId), now))
      .thenNothing();
  });

  it('is cancelled before it starts by a participant or an admin, with an optional reason', () => {
    const f = fixture();
    const admin = anAdmin();
    const adminId = admin.kind === 'user' ? admin.userId : '';
    spec
      .given([f.scheduled])
      .when({ type: 'CancelSession', reason: '  sick  ' }, by(asUser(f.learnerId), earlier))
      .then([
        {
          type: 'MentorshipSessionCancelled',
          data: {
            sessionId: f.sessionId,
            cancelledBy: f.learnerId,
            reason: 'sick',
            at: earlier.toISOString(),
          },
        },
      ]);
    spec
      .given([f.scheduled])
      .when({ type: 'CancelSession' }, by(admin, earlier))
      .then([
        {
          type: 'MentorshipSessionCancelled',
          data: { sessionId: f.sessionId, cancelledBy: adminId, reason: null, at: earlier.toISOString() },
        },
      ]);
    spec
      .given([f.scheduled])
      .when({ type: 'CancelSession' }, by(asUser(randomUUID()), earlier))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
    spec
      .given([f.scheduled, f.started])
      .when({ type: 'CancelSession' }, by(asUser(f.mentorId), now))
      .thenThrows('CONFLICT', 'SESSION_ALREADY_STARTED');
    spec
      .given([f.scheduled])
      .when({ type: 'CancelSession', reason: 'x'.repeat(501) }, by(asUser(f.mentorId), earlier))
      .thenThrows('VALIDATION', 'INVALID_REASON');
  });

  it('an unknown session is NOT_FOUND', () => {
    spec
      .given([])
      .when({ type: 'StartSession' }, by(asUser(randomUUID()), now))
      .thenThrows('NOT_FOUND', 'SESSION_NOT_FOUND');
  });
});

describe('notes and ratings', () => {
  it('notes are the author’s, trimmed, 1..10,000 characters', () => {
    const f = fixture();
    spec
      .given([f.scheduled])
      .when({ type: 'AddSessionNotes', notes: ' closures, then generators ' }, by(asUser(f.learnerId), now))
      .then([
        {
          type: 'MentorshipSessionNotesAdded',
          data: {
            sessionId: f.sessionId,
            authorId: f.learnerId,
            notes: 'closures, then generators',
            at: now.toISOString(),
          },
        },
      ]);
    spec
      .given([f.scheduled])
      .when({ type: 'AddSessionNotes', notes: '   ' }, by(asUser(f.learnerId), now))
      .thenThrows('VALIDATION', 'INVALID_NOTES');
    spec
      .given([f.scheduled])
      .when({ type: 'AddSessionNotes', notes: 'x' }, by(anAdmin(), now))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
  });

  it('each side rates once, 1..5, after the session ended', () => {
    const f = fixture();
    const history = [f.scheduled, f.started, f.ended];
    const learnerRated: SessionEvent = {
      type: 'MentorshipSessionRated',
      data: {
        sessionId: f.sessionId,
        by: 'learner',
        raterId: f.learnerId,
        rating: 5,
        comment: 'clear',
        at: now.toISOString(),
      },
    };
    spec
      .given(history)
      .when({ type: 'RateSession', rating: 5, comment: 'clear' }, by(asUser(f.learnerId), now))
      .then([learnerRated]);
    spec
      .given([...history, learnerRated])
      .when({ type: 'RateSession', rating: 4 }, by(asUser(f.mentorId), now))
      .then([
        {
          type: 'MentorshipSessionRated',
          data: {
            sessionId: f.sessionId,
            by: 'mentor',
            raterId: f.mentorId,
            rating: 4,
            comment: null,
            at: now.toISOString(),
          },
        },
      ]);
    spec
      .given([...history, learnerRated])
      .when({ type: 'RateSession', rating: 1 }, by(asUser(f.learnerId), now))
      .thenThrows('CONFLICT', 'ALREADY_RATED');
    spec
      .given([f.scheduled, f.started])
      .when({ type: 'RateSession', rating: 5 }, by(asUser(f.learnerId), now))
      .thenThrows('CONFLICT', 'SESSION_NOT_ENDED');
    spec
      .given(history)
      .when({ type: 'RateSession', rating: 6 }, by(asUser(f.learnerId), now))
      .thenThrows('VALIDATION', 'INVALID_RATING');
    spec
      .given(history)
      .when({ type: 'RateSession', rating: 0 }, by(asUser(f.learnerId), now))
      .thenThrows('VALIDATION', 'INVALID_RATING');
    spec
      .given(history)
      .when({ type: 'RateSession', rating: 3 }, by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
  });
});
