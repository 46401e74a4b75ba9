import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CalendarCommand,
  calendarDecider,
  holdExpired,
  overlaps,
  SESSION_HOLD_MS,
} from '../../../src/domain/mentorship/calendar-decider.ts';
import type { CalendarEvent } from '../../../src/domain/mentorship/calendar-events.ts';
import { anAdmin, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(calendarDecider);
const now = new Date('2030-01-10T08:00:00.000Z');

function people() {
  const mentorId = randomUUID();
  const learnerId = randomUUID();
  return { mentorId, learnerId, participants: [mentorId, learnerId] };
}

const booked = (userId: string, sessionId: string, startsAt: string, endsAt: string): CalendarEvent => ({
  type: 'CalendarSlotBooked',
  data: { userId, sessionId, startsAt, endsAt, bookedAt: '2030-01-09T08:00:00.000Z' },
});

const book = (
  userId: string,
  participants: string[],
  sessionId: string,
  startsAt: string,
  endsAt: string,
  overlapping: Record<string, 'active' | 'gone'> = {},
): CalendarCommand => ({ type: 'BookSlot', userId, sessionId, startsAt, endsAt, participants, overlapping });

describe('calendar', () => {
  it('books a free slot, stamped with the booking time', () => {
    const { mentorId, participants } = people();
    const sessionId = randomUUID();
    spec
      .given([])
      .when(
        book(mentorId, participants, sessionId, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z'),
        by(asUser(participants[1] ?? ''), now),
      )
      .then([
        {
          type: 'CalendarSlotBooked',
          data: {
            userId: mentorId,
            sessionId,
            startsAt: '2030-01-11T10:00:00.000Z',
            endsAt: '2030-01-11T11:00:00.000Z',
            bookedAt: now.toISOString(),
          },
        },
      ]);
  });

  it('refuses an overlapping slot with DOUBLE_BOOKED while the other session is active', () => {
    const { mentorId, participants } = people();
    const other = randomUUID();
    spec
      .given([booked(mentorId, other, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')])
      .when(
        book(mentorId, participants, randomUUID(), '2030-01-11T10:30:00.000Z', '2030-01-11T11:30:00.000Z', {
          [other]: 'active',
        }),
        by(asUser(mentorId), now),
      )
      .thenThrows('CONFLICT', 'DOUBLE_BOOKED');
  });

  it('counts an overlapping booking it was told nothing about as taken (it appeared after the service looked)', () => {
    const { mentorId, participants } = people();
    spec
      .given([booked(mentorId, randomUUID(), '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')])
      .when(
        book(mentorId, participants, randomUUID(), '2030-01-11T09:00:00.000Z', '2030-01-11T12:00:00.000Z'),
        by(asUser(mentorId), now),
      )
      .thenThrows('CONFLICT', 'DOUBLE_BOOKED');
  });

  it('frees the time of a session that is gone (cancelled, or never recorded and its hold expired)', () => {
    const { mentorId, participants } = people();
    const gone = randomUUID();
    const sessionId = randomUUID();
    spec
      .given([booked(mentorId, gone, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')])
      .when(
        book(mentorId, participants, sessionId, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z', {
          [gone]: 'gone',
        }),
        by(asUser(mentorId), now),
      )
      .then([
        { type: 'CalendarSlotReleased', data: { userId: mentorId, sessionId: gone, reason: 'session_gone' } },
        {
          type: 'CalendarSlotBooked',
          data: {
            userId: mentorId,
            sessionId,
            startsAt: '2030-01-11T10:00:00.000Z',
            endsAt: '2030-01-11T11:00:00.000Z',
            bookedAt: now.toISOString(),
          },
        },
      ]);
  });

  it('lets sessions meet back to back (intervals are half open)', () => {
    expect(
      overlaps(
        { startsAt: '2030-01-11T10:00:00Z', endsAt: '2030-01-11T11:00:00Z' },
        { startsAt: '2030-01-11T11:00:00Z', endsAt: '2030-01-11T12:00:00Z' },
      ),
    ).toBe(false);
    const { mentorId, participants } = people();
    const sessionId = randomUUID();
    spec
      .given([booked(mentorId, randomUUID(), '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')])
      .when(
        book(mentorId, participants, sessionId, '2030-01-11T11:00:00.000Z', '2030-01-11T12:00:00.000Z'),
        by(asUser(mentorId), now),
      )
      .then([
        {
          type: 'CalendarSlotBooked',
          data: {
            userId: mentorId,
            sessionId,
            startsAt: '2030-01-11T11:00:00.000Z',
            endsAt: '2030-01-11T12:00:00.000Z',
            bookedAt: now.toISOString(),
          },
        },
      ]);
  });

  it('booking the same session again at the same time changes nothing; at another time is a conflict', () => {
    const { mentorId, participants } = people();
    const sessionId = randomUUID();
    const history = [booked(mentorId, sessionId, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')];
    spec
      .given(history)
      .when(
        book(mentorId, participants, sessionId, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z'),
        by(asUser(mentorId), now),
      )
      .thenNothing();
    spec
      .given(history)
      .when(
        book(mentorId, participants, sessionId, '2030-01-11T12:00:00.000Z', '2030-01-11T13:00:00.000Z'),
        by(asUser(mentorId), now),
      )
      .thenThrows('CONFLICT', 'SLOT_MISMATCH');
  });

  it('is booked only by the session’s participants, and only for a participant’s calendar', () => {
    const { mentorId, participants } = people();
    const command = book(
      mentorId,
      participants,
      randomUUID(),
      '2030-01-11T10:00:00.000Z',
      '2030-01-11T11:00:00.000Z',
    );
    spec
      .given([])
      .when(command, by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
    spec.given([]).when(command, by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
    const stranger = randomUUID();
    spec
      .given([])
      .when(
        book(stranger, participants, randomUUID(), '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z'),
        by(asUser(mentorId), now),
      )
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
  });

  it('releases a held slot (admins and the system may too); releasing a free one changes nothing', () => {
    const { mentorId, learnerId, participants } = people();
    const sessionId = randomUUID();
    const history = [booked(mentorId, sessionId, '2030-01-11T10:00:00.000Z', '2030-01-11T11:00:00.000Z')];
    const release: CalendarCommand = {
      type: 'ReleaseSlot',
      userId: mentorId,
      sessionId,
      reason: 'cancelled',
      participants,
    };
    const released: CalendarEvent[] = [
      { type: 'CalendarSlotReleased', data: { userId: mentorId, sessionId, reason: 'cancelled' } },
    ];
    spec
      .given(history)
      .when(release, by(asUser(learnerId), now))
      .then(released);
    spec.given(history).when(release, by(anAdmin(), now)).then(released);
    spec
      .given(history)
      .when(release, by(theSystem('mentorship'), now))
      .then(released);
    spec
      .given([...history, ...released])
      .when(release, by(asUser(mentorId), now))
      .thenNothing();
    spec
      .given(history)
      .when(release, by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_A_PARTICIPANT');
  });

  it('a hold runs out SESSION_HOLD_MS after the booking', () => {
    const bookedAt = '2030-01-10T08:00:00.000Z';
    expect(holdExpired(bookedAt, new Date(Date.parse(bookedAt) + SESSION_HOLD_MS - 1))).toBe(false);
    expect(holdExpired(bookedAt, new Date(Date.parse(bookedAt) + SESSION_HOLD_MS))).toBe(true);
  });
});
