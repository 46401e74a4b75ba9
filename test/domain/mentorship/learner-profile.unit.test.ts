import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LearnerProfileCommand } from '../../../src/domain/mentorship/learner-profile-commands.ts';
import { learnerProfileDecider } from '../../../src/domain/mentorship/learner-profile-decider.ts';
import {
  decodeGoals,
  type LearnerProfileEvent,
  learnerProfileEventCatalogue,
} from '../../../src/domain/mentorship/learner-profile-events.ts';
import { anAdmin, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(learnerProfileDecider);
const now = new Date('2025-03-03T09:00:00.000Z');
const LEARNER_ID = randomUUID();
const learner = by(asUser(LEARNER_ID), now);

const upsert = (changes: Partial<LearnerProfileCommand> = {}): LearnerProfileCommand => ({
  type: 'UpsertLearnerProfile',
  learnerId: LEARNER_ID,
  goals: ['  Ship my first library ', 'Ship my first library', ''],
  subjects: ['TypeScript'],
  preferredStyle: 'socratic',
  languages: ['en'],
  availability: [{ day: 2, start: '19:00', end: '21:00' }],
  timeZone: 'America/New_York',
  ...changes,
});

const upserted = (
  changes: Partial<Extract<LearnerProfileEvent, { type: 'LearnerProfileUpserted' }>['data']> = {},
): LearnerProfileEvent => ({
  type: 'LearnerProfileUpserted',
  data: {
    learnerId: LEARNER_ID,
    goals: JSON.stringify(['Ship my first library']),
    subjects: ['typescript'],
    preferredStyle: 'socratic',
    languages: ['en'],
    availability: [{ day: 2, start: '19:00', end: '21:00' }],
    timeZone: 'America/New_York',
    ...changes,
  },
});

describe('upserting a learner profile', () => {
  it('records goals trimmed and without duplicates or blanks, subjects normalised', () => {
    spec.given([]).when(upsert(), learner).then([upserted()]);
  });

  it('decides nothing when nothing changed', () => {
    spec.given([upserted()]).when(upsert(), learner).thenNothing();
  });

  it('records a changed goal', () => {
    spec
      .given([upserted()])
      .when(upsert({ goals: ['Give a talk'] }), learner)
      .then([upserted({ goals: JSON.stringify(['Give a talk']) })]);
  });

  it('allows no preferred style and no subjects yet', () => {
    spec
      .given([])
      .when(upsert({ preferredStyle: null, subjects: [] }), learner)
      .then([upserted({ preferredStyle: null, subjects: [] })]);
  });

  it('is for the learner themself only', () => {
    spec
      .given([])
      .when(upsert(), by(asUser(randomUUID()), now))
      .thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec.given([]).when(upsert(), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec.given([]).when(upsert(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('refuses invalid values with their reasons', () => {
    const cases: [Partial<LearnerProfileCommand>, string][] = [
      [{ goals: Array.from({ length: 11 }, (_, i) => `goal ${i}`) }, 'TOO_MANY_GOALS'],
      [{ goals: ['x'.repeat(501)] }, 'INVALID_GOAL'],
      [{ subjects: ['x'.repeat(61)] }, 'INVALID_SUBJECT'],
      [{ subjects: Array.from({ length: 21 }, (_, i) => `s${i}`) }, 'TOO_MANY_SUBJECTS'],
      [{ languages: [] }, 'LANGUAGE_REQUIRED'],
      [{ preferredStyle: 'lecturing' as never }, 'INVALID_STYLE'],
      [{ availability: [{ day: -1, start: '10:00', end: '11:00' }] }, 'INVALID_AVAILABILITY'],
      [{ timeZone: 'Nowhere/Land' }, 'INVALID_TIME_ZONE'],
    ];
    for (const [changes, reason] of cases) {
      spec.given([]).when(upsert(changes), learner).thenThrows('VALIDATION', reason);
    }
  });
});

describe('goals as personal data', () => {
  it('are declared personal, encrypted with the learner’s key', () => {
    const definition = learnerProfileEventCatalogue.LearnerProfileUpserted;
    expect(definition.personalFields).toEqual(['goals']);
    const event = upserted();
    if (event.type !== 'LearnerProfileUpserted') throw new Error('unreachable');
    expect(definition.subject?.(event.data)).toBe(LEARNER_ID);
  });

  it('read back as null once erased', () => {
    expect(decodeGoals(null)).toBeNull();
    expect(decodeGoals(JSON.stringify(['a', 'b']))).toEqual(['a', 'b']);
  });
});
