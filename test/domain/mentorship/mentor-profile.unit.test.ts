import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { MentorProfileCommand } from '../../../src/domain/mentorship/mentor-profile-commands.ts';
import { mentorProfileDecider } from '../../../src/domain/mentorship/mentor-profile-decider.ts';
import type { MentorProfileEvent } from '../../../src/domain/mentorship/mentor-profile-events.ts';
import { anAdmin, anIntegration, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(mentorProfileDecider);
const now = new Date('2025-03-03T09:00:00.000Z');
const MENTOR_ID = randomUUID();
const mentor = by(asUser(MENTOR_ID), now);
const system = by(theSystem('matching'), now);

type Upsert = Extract<MentorProfileCommand, { type: 'UpsertMentorProfile' }>;

const upsert = (changes: Partial<Upsert> = {}): Upsert => ({
  type: 'UpsertMentorProfile',
  mentorId: MENTOR_ID,
  subjects: [{ subject: 'TypeScript', level: 'expert' }],
  styles: ['hands-on'],
  languages: ['en', 'DE'],
  availability: [{ day: 0, start: '18:00', end: '20:00' }],
  timeZone: 'Europe/Berlin',
  capacity: 2,
  accepting: true,
  ...changes,
});

const upserted = (
  changes: Partial<Extract<MentorProfileEvent, { type: 'MentorProfileUpserted' }>['data']> = {},
) =>
  ({
    type: 'MentorProfileUpserted',
    data: {
      mentorId: MENTOR_ID,
      subjects: [{ subject: 'typescript', level: 'expert' }],
      styles: ['hands-on'],
      languages: ['en', 'de'],
      availability: [{ day: 0, start: '18:00', end: '20:00' }],
      timeZone: 'Europe/Berlin',
      capacity: 2,
      accepting: true,
      ...changes,
    },
  }) satisfies MentorProfileEvent;

const menteeAdded = (requestId: string, activeMentees: number): MentorProfileEvent => ({
  type: 'MenteeAdded',
  data: { mentorId: MENTOR_ID, requestId, learnerId: randomUUID(), activeMentees },
});

describe('upserting a mentor profile', () => {
  it('records the whole profile, normalised (subjects and languages lower case)', () => {
    spec.given([]).when(upsert(), mentor).then([upserted()]);
  });

  it('may be written through the mentor’s API key', () => {
    spec
      .given([])
      .when(upsert(), by(anIntegration(MENTOR_ID, ['graphql:write']), now))
      .then([upserted()]);
  });

  it('records a change of any part', () => {
    spec
      .given([upserted()])
      .when(upsert({ accepting: false, capacity: 5 }), mentor)
      .then([upserted({ accepting: false, capacity: 5 })]);
  });

  it('decides nothing when nothing changed', () => {
    spec.given([upserted()]).when(upsert(), mentor).thenNothing();
  });

  it('keeps the first level of a subject given twice', () => {
    spec
      .given([])
      .when(
        upsert({
          subjects: [
            { subject: ' typescript ', level: 'expert' },
            { subject: 'TypeScript', level: 'beginner' },
          ],
        }),
        mentor,
      )
      .then([upserted()]);
  });

  it('is for the person themself only, not another user, an admin or the system', () => {
    spec
      .given([])
      .when(upsert(), by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec.given([]).when(upsert(), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec.given([]).when(upsert(), system).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('refuses invalid values with their reasons', () => {
    const cases: [Partial<Upsert>, string][] = [
      [{ subjects: [] }, 'SUBJECT_REQUIRED'],
      [{ subjects: [{ subject: '   ', level: 'expert' }] }, 'INVALID_SUBJECT'],
      [{ subjects: [{ subject: 'x'.repeat(61), level: 'expert' }] }, 'INVALID_SUBJECT'],
      [
        { subjects: Array.from({ length: 21 }, (_, i) => ({ subject: `s${i}`, level: 'expert' as const })) },
        'TOO_MANY_SUBJECTS',
      ],
      [{ styles: [] }, 'STYLE_REQUIRED'],
      [{ languages: [] }, 'LANGUAGE_REQUIRED'],
      [{ languages: ['english!'] }, 'INVALID_LANGUAGE'],
      [{ availability: [{ day: 7, start: '10:00', end: '11:00' }] }, 'INVALID_AVAILABILITY'],
      [{ availability: [{ day: 1, start: '11:00', end: '10:00' }] }, 'INVALID_AVAILABILITY'],
      [{ availability: [{ day: 1, start: '25:00', end: '26:00' }] }, 'INVALID_AVAILABILITY'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'INVALID_TIME_ZONE'],
      [{ capacity: 0 }, 'INVALID_CAPACITY'],
      [{ capacity: 51 }, 'INVALID_CAPACITY'],
    ];
    for (const [changes, reason] of cases) {
      spec.given([]).when(upsert(changes), mentor).thenThrows('VALIDATION', reason);
    }
  });

  it('refuses a command for another mentor on this mentor’s stream', () => {
    const other = randomUUID();
    spec
      .given([upserted()])
      .when(upsert({ mentorId: other }), by(asUser(other), now))
      .thenThrows('CONFLICT', 'STREAM_MISMATCH');
  });
});

describe('adding a mentee', () => {
  const requestId = randomUUID();
  const learnerId = randomUUID();
  const add = { type: 'AddMentee', requestId, learnerId } as const;

  it('counts the mentee in', () => {
    spec
      .given([upserted()])
      .when(add, system)
      .then([{ type: 'MenteeAdded', data: { mentorId: MENTOR_ID, requestId, learnerId, activeMentees: 1 } }]);
  });

  it('is idempotent per request: the same request again decides nothing, even when now full', () => {
    spec
      .given([upserted({ capacity: 1 }), menteeAdded(requestId, 1)])
      .when(add, system)
      .thenNothing();
  });

  it('refuses a mentor at capacity', () => {
    spec
      .given([upserted(), menteeAdded(randomUUID(), 1), menteeAdded(randomUUID(), 2)])
      .when(add, system)
      .thenThrows('CONFLICT', 'MENTOR_AT_CAPACITY');
  });

  it('refuses a mentor who takes no new mentees', () => {
    spec
      .given([upserted({ accepting: false })])
      .when(add, system)
      .thenThrows('CONFLICT', 'MENTOR_NOT_ACCEPTING');
  });

  it('refuses a mentor without a profile', () => {
    spec.given([]).when(add, system).thenThrows('NOT_FOUND', 'MENTOR_PROFILE_NOT_FOUND');
  });

  it('refuses the mentor as their own mentee', () => {
    spec
      .given([upserted()])
      .when({ ...add, learnerId: MENTOR_ID }, system)
      .thenThrows('VALIDATION', 'SELF_MATCH');
  });

  it('is the matching process’s step: people may not take it', () => {
    spec.given([upserted()]).when(add, mentor).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec.given([upserted()]).when(add, by(anAdmin(), now)).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it('a profile change keeps the mentees counted', () => {
    spec
      .given([upserted({ capacity: 2 }), menteeAdded(randomUUID(), 1), upserted({ capacity: 1 })])
      .when(add, system)
      .thenThrows('CONFLICT', 'MENTOR_AT_CAPACITY');
  });
});

describe('releasing a mentee', () => {
  const requestId = randomUUID();
  const learnerId = randomUUID();
  const held: MentorProfileEvent = {
    type: 'MenteeAdded',
    data: { mentorId: MENTOR_ID, requestId, learnerId, activeMentees: 2 },
  };
  const released = (
    reason: 'match_cancelled' | 'mentorship_ended',
    activeMentees: number,
  ): MentorProfileEvent => ({
    type: 'MenteeReleased',
    data: { mentorId: MENTOR_ID, requestId, learnerId, reason, activeMentees },
  });
  const release = (reason: 'match_cancelled' | 'mentorship_ended') =>
    ({ type: 'ReleaseMentee', requestId, reason }) as const;

  it('frees the seat of a cancelled match (the matching process compensating)', () => {
    spec
      .given([upserted(), menteeAdded(randomUUID(), 1), held])
      .when(release('match_cancelled'), system)
      .then([released('match_cancelled', 1)]);
  });

  it('lets the mentor themself end a mentorship, directly or through their API key', () => {
    spec
      .given([upserted(), menteeAdded(randomUUID(), 1), held])
      .when(release('mentorship_ended'), mentor)
      .then([released('mentorship_ended', 1)]);
    spec
      .given([upserted(), menteeAdded(randomUUID(), 1), held])
      .when(release('mentorship_ended'), by(anIntegration(MENTOR_ID, ['graphql:write']), now))
      .then([released('mentorship_ended', 1)]);
  });

  it('lets the system end a mentorship', () => {
    spec
      .given([upserted(), held])
      .when(release('mentorship_ended'), system)
      .then([released('mentorship_ended', 1)]);
  });

  it('is idempotent: a mentee released already, or never added, decides nothing', () => {
    spec
      .given([upserted(), held, released('match_cancelled', 1)])
      .when(release('match_cancelled'), system)
      .thenNothing();
    spec
      .given([upserted(), held, released('match_cancelled', 1)])
      .when(release('mentorship_ended'), mentor)
      .thenNothing();
    spec
      .given([upserted(), menteeAdded(randomUUID(), 1)])
      .when(release('match_cancelled'), system)
      .thenNothing();
  });

  it('counts the released seat as free again: another request may take it', () => {
    const next = { requestId: randomUUID(), learnerId: randomUUID() };
    spec
      .given([upserted({ capacity: 2 }), menteeAdded(randomUUID(), 1), held, released('match_cancelled', 1)])
      .when({ type: 'AddMentee', ...next }, system)
      .then([{ type: 'MenteeAdded', data: { mentorId: MENTOR_ID, ...next, activeMentees: 2 } }]);
  });

  it('never takes the released request’s mentee on again: AddMentee for it decides nothing', () => {
    spec
      .given([upserted(), held, released('match_cancelled', 1)])
      .when({ type: 'AddMentee', requestId, learnerId }, system)
      .thenNothing();
  });

  it('leaves a cancelled match to the matching process: people may not release for it', () => {
    spec
      .given([upserted(), held])
      .when(release('match_cancelled'), mentor)
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it('lets the mentee end their mentorship too, and a repeat decides nothing', () => {
    const learner = by(asUser(learnerId), now);
    spec
      .given([upserted(), held])
      .when(release('mentorship_ended'), learner)
      .then([released('mentorship_ended', 1)]);
    spec
      .given([upserted(), held, released('mentorship_ended', 1)])
      .when(release('mentorship_ended'), learner)
      .thenNothing();
  });

  it('lets nobody else end the mentorship: not another user, another mentee, or an admin', () => {
    const otherRequest = randomUUID();
    const otherLearner = randomUUID();
    const otherMentee: MentorProfileEvent = {
      type: 'MenteeAdded',
      data: { mentorId: MENTOR_ID, requestId: otherRequest, learnerId: otherLearner, activeMentees: 1 },
    };
    spec
      .given([upserted(), otherMentee, held])
      .when(release('mentorship_ended'), by(asUser(otherLearner), now))
      .thenThrows('FORBIDDEN', 'NOT_IN_MENTORSHIP');
    spec
      .given([upserted(), held])
      .when(release('mentorship_ended'), by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_IN_MENTORSHIP');
    spec
      .given([upserted(), held])
      .when(release('mentorship_ended'), by(anAdmin(), now))
      .thenThrows('FORBIDDEN', 'NOT_IN_MENTORSHIP');
  });

  it('refuses a mentor without a profile, and an unknown reason', () => {
    spec
      .given([])
      .when(release('match_cancelled'), system)
      .thenThrows('NOT_FOUND', 'MENTOR_PROFILE_NOT_FOUND');
    spec
      .given([upserted(), held])
      .when({ type: 'ReleaseMentee', requestId, reason: 'bored' as 'mentorship_ended' }, system)
      .thenThrows('VALIDATION', 'INVALID_RELEASE_REASON');
  });
});
