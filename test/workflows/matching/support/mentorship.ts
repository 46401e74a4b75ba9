import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import { loadAggregate } from '../../../../src/commands/load-aggregate.ts';
import type { CommandEnvelope } from '../../../../src/commands/types.ts';
import { learnerProfileAggregate } from '../../../../src/domain/mentorship/learner-profile-decider.ts';
import type { MatchRequestCommand } from '../../../../src/domain/mentorship/match-request-commands.ts';
import { matchRequestAggregate } from '../../../../src/domain/mentorship/match-request-decider.ts';
import type {
  MatchRequestEvent,
  MatchRequestEventOf,
} from '../../../../src/domain/mentorship/match-request-events.ts';
import { mentorProfileAggregate } from '../../../../src/domain/mentorship/mentor-profile-decider.ts';
import {
  learnerStream,
  matchRequestStream,
  mentorStream,
} from '../../../../src/domain/mentorship/streams.ts';
import type { TeachingStyle, WeeklySlot } from '../../../../src/domain/mentorship/values.ts';
import type { Actor } from '../../../../src/domain/shared/decider.ts';
import { MENTORSHIP_READ_MODELS } from '../../../../src/projections/registry.ts';
import { waitForPosition } from '../../../../src/projections/wait-for-position.ts';
import { execute } from '../../../../src/services/shared/command-context.ts';
import type { MatchingHarness } from './harness.ts';

/**
 * The people a matching saga works with, written as the mentorship use cases write them (commands
 * through the pipeline, as the person or as the system), so each spec sets up exactly the mentors
 * it needs. The API's own flow is covered by test/api/mentorship/matching.e2e.test.ts.
 */

const person = (userId: string): Actor => ({ kind: 'user', userId, role: 'user' });
/** Another request's saga, taking mentees on meanwhile. */
const anotherSaga: Actor = { kind: 'system', process: 'matching' };

/** Weekday evenings in Berlin: every mentor and learner here shares them unless a spec says otherwise. */
export const EVENINGS: WeeklySlot[] = [0, 1, 2, 3, 4].map((day) => ({ day, start: '18:00', end: '21:00' }));
export const BERLIN = 'Europe/Berlin';

/** A subject nobody else in this database teaches, so each spec ranks only its own mentors. */
export const freshSubject = () => `algebra ${randomUUID().slice(0, 8)}`;

const envelope = <Command>(actor: Actor, command: Command): CommandEnvelope<Command> => ({
  commandId: randomUUID(),
  actor,
  now: new Date(),
  command,
});

const depsOf = (h: MatchingHarness) => ({
  store: h.api.runtime.store,
  codec: h.api.runtime.codec,
  log: h.log,
});

/** Until the mentorship read models show everything up to `position` (candidates are ranked from them). */
async function settled(h: MatchingHarness, position: bigint | null): Promise<void> {
  if (position === null) return;
  const { pool, bus } = h.api.runtime;
  const reached = await waitForPosition(pool, bus, position, {
    timeoutMs: 10_000,
    projections: MENTORSHIP_READ_MODELS,
  });
  expect(reached).toBe(true);
}

export interface MentorSpec {
  styles?: TeachingStyle[];
  languages?: string[];
  capacity?: number;
  accepting?: boolean;
  availability?: WeeklySlot[];
  timeZone?: string;
}

/** A mentor of `subject`, in the read models by the time this returns. */
export async function mentorOf(h: MatchingHarness, subject: string, spec: MentorSpec = {}): Promise<string> {
  const mentorId = randomUUID();
  const result = await execute(
    depsOf(h),
    mentorProfileAggregate,
    mentorStream(mentorId),
    envelope(person(mentorId), {
      type: 'UpsertMentorProfile',
      mentorId,
      subjects: [{ subject, level: 'expert' }],
      styles: spec.styles ?? ['hands-on'],
      languages: spec.languages ?? ['en'],
      availability: spec.availability ?? EVENINGS,
      timeZone: spec.timeZone ?? BERLIN,
      capacity: spec.capacity ?? 3,
      accepting: spec.accepting ?? true,
    }),
  );
  await settled(h, result.position);
  return mentorId;
}

/** A learner who wants `subject`, taught hands-on in English, on weekday evenings in Berlin. */
export async function learnerOf(h: MatchingHarness, subject: string): Promise<string> {
  const learnerId = randomUUID();
  const result = await execute(
    depsOf(h),
    learnerProfileAggregate,
    learnerStream(learnerId),
    envelope(person(learnerId), {
      type: 'UpsertLearnerProfile',
      learnerId,
      goals: ['Pass the exam in June'],
      subjects: [subject],
      preferredStyle: 'hands-on',
      languages: ['en'],
      availability: EVENINGS,
      timeZone: BERLIN,
    }),
  );
  await settled(h, result.position);
  return learnerId;
}

function onRequest(h: MatchingHarness, requestId: string, actor: Actor, command: MatchRequestCommand) {
  return execute(depsOf(h), matchRequestAggregate, matchRequestStream(requestId), envelope(actor, command));
}

/** The learner asks for a mentor: the process manager starts the saga from the event. */
export async function requestMatch(h: MatchingHarness, learnerId: string, subject: string): Promise<string> {
  const requestId = randomUUID();
  await onRequest(h, requestId, person(learnerId), {
    type: 'RequestMatch',
    requestId,
    learnerId,
    subject,
    learnerHasProfile: true,
  });
  return requestId;
}

export async function accept(h: MatchingHarness, requestId: string, offer: Offered): Promise<void> {
  await onRequest(h, requestId, person(offer.mentorId), {
    type: 'AcceptOffer',
    offerNumber: offer.offerNumber,
  });
}

export async function decline(h: MatchingHarness, requestId: string, offer: Offered): Promise<void> {
  await onRequest(h, requestId, person(offer.mentorId), {
    type: 'DeclineOffer',
    offerNumber: offer.offerNumber,
    reason: 'Fully booked this month',
  });
}

export async function cancel(h: MatchingHarness, requestId: string, learnerId: string): Promise<void> {
  await onRequest(h, requestId, person(learnerId), { type: 'CancelMatchRequest' });
}

/** Other requests' sagas take mentees on until the mentor has no room left. */
export async function fillUp(h: MatchingHarness, mentorId: string): Promise<void> {
  const { state } = await loadAggregate(depsOf(h), mentorProfileAggregate, mentorStream(mentorId));
  if (state.status === 'none') throw new Error(`no mentor ${mentorId}`);
  for (let mentees = state.activeMentees; mentees < state.capacity; mentees++) {
    await execute(
      depsOf(h),
      mentorProfileAggregate,
      mentorStream(mentorId),
      envelope(anotherSaga, { type: 'AddMentee', requestId: randomUUID(), learnerId: randomUUID() }),
    );
  }
}

export async function mentorOfId(h: MatchingHarness, mentorId: string) {
  const { state } = await loadAggregate(depsOf(h), mentorProfileAggregate, mentorStream(mentorId));
  if (state.status === 'none') throw new Error(`no mentor ${mentorId}`);
  return state;
}

export async function requestEvents(h: MatchingHarness, requestId: string): Promise<MatchRequestEvent[]> {
  const { events } = await loadAggregate(depsOf(h), matchRequestAggregate, matchRequestStream(requestId));
  return events.map((loaded) => loaded.event);
}

/** Who recorded each of the request's events, and under which correlation id. */
export async function provenanceOf(h: MatchingHarness, requestId: string) {
  const { events } = await loadAggregate(depsOf(h), matchRequestAggregate, matchRequestStream(requestId));
  return events.map(({ event, metadata }) => ({
    type: event.type,
    actor: metadata.actor,
    correlationId: metadata.correlationId,
  }));
}

/** The global position of the request's latest event of this type. */
export async function positionOf(
  h: MatchingHarness,
  requestId: string,
  type: MatchRequestEvent['type'],
): Promise<bigint> {
  const { events } = await loadAggregate(depsOf(h), matchRequestAggregate, matchRequestStream(requestId));
  const latest = events.findLast((loaded) => loaded.event.type === type);
  if (!latest) throw new Error(`no ${type} on match request ${requestId}`);
  return latest.recorded.position;
}

export const eventsOfType = <Type extends MatchRequestEvent['type']>(
  events: MatchRequestEvent[],
  type: Type,
) => events.filter((event): event is MatchRequestEventOf<Type> => event.type === type);

export type Offered = MatchRequestEventOf<'MentorOffered'>['data'];

/** The saga's offer number `offerNumber`, once it is recorded. */
export async function offerOf(h: MatchingHarness, requestId: string, offerNumber: number): Promise<Offered> {
  let offer: Offered | undefined;
  await vi.waitFor(
    async () => {
      const offers = eventsOfType(await requestEvents(h, requestId), 'MentorOffered');
      offer = offers.find((candidate) => candidate.data.offerNumber === offerNumber)?.data;
      expect(offer).toBeDefined();
    },
    { timeout: 15_000, interval: 50 },
  );
  if (!offer) throw new Error('unreachable');
  return offer;
}

/** The request's events, with the saga's steps in order and each event named by what it says. */
export const storyOf = (events: MatchRequestEvent[]): string[] =>
  events.map((event) => {
    switch (event.type) {
      case 'MentorOffered':
      case 'OfferAccepted':
      case 'OfferDeclined':
      case 'OfferExpired':
        return `${event.type} #${event.data.offerNumber}`;
      case 'MentorSkipped':
        return `MentorSkipped ${event.data.reason}${event.data.offerNumber === null ? '' : ` #${event.data.offerNumber}`}`;
      case 'MatchFailed':
        return `MatchFailed ${event.data.reason}`;
      default:
        return event.type;
    }
  });
