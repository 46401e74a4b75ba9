import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadAggregate } from '../../../src/commands/load-aggregate.ts';
import { mentorProfileAggregate } from '../../../src/domain/mentorship/mentor-profile-decider.ts';
import type { MentorProfileEvent } from '../../../src/domain/mentorship/mentor-profile-events.ts';
import { mentorStream } from '../../../src/domain/mentorship/streams.ts';
import { createMatchingActivities } from '../../../src/workflows/matching/activities.ts';
import type { MatchResult } from '../../../src/workflows/matching/types.ts';
import { createWorker, shutdownWorker } from '../../../src/workflows/worker.ts';
import { type MatchingHarness, type SagaWorker, sagaOf, startMatchingHarness } from './support/harness.ts';
import {
  accept,
  cancel,
  freshSubject,
  learnerOf,
  mentorOf,
  mentorOfId,
  offerOf,
  requestEvents,
  requestMatch,
  storyOf,
} from './support/mentorship.ts';

/**
 * The learner cancels after the mentor accepted and took them on (AddMentee) but before the match
 * is made. That window is a few milliseconds wide between two activities, so the specs open it on
 * purpose: this file's worker runs the production activities, and for the requests a spec names it
 * records the learner's cancel (a real CancelMatchRequest through the command pipeline) at one
 * point of that window before handing on. Everything else is as in production.
 */
type CancelAt = 'after_add_mentee' | 'before_make_match';

let h: MatchingHarness;
let connection: NativeConnection;
let worker: SagaWorker;
const cancelAt = new Map<string, { learnerId: string; point: CancelAt }>();

beforeAll(async () => {
  h = await startMatchingHarness({ offerTimeoutMs: 60_000 });
  await h.stopWorkers();
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const { store, codec, pool } = h.api.runtime;
  const real = createMatchingActivities({ store, codec, log: h.log, pool });
  const cancelIf = async (requestId: string, point: CancelAt) => {
    const planned = cancelAt.get(requestId);
    if (planned?.point !== point) return;
    cancelAt.delete(requestId);
    await cancel(h, requestId, planned.learnerId);
  };
  const temporalWorker = await createWorker({
    connection,
    taskQueue: h.taskQueue,
    workflows: { bundle: h.bundle },
    activities: {
      ...real,
      async addMentee(...args: Parameters<typeof real.addMentee>) {
        const outcome = await real.addMentee(...args);
        await cancelIf(args[0].requestId, 'after_add_mentee');
        return outcome;
      },
      async makeMatch(...args: Parameters<typeof real.makeMatch>) {
        await cancelIf(args[0].requestId, 'before_make_match');
        return real.makeMatch(...args);
      },
    },
    shutdownGraceMs: 500,
    shutdownForceMs: 2_000,
  });
  const running = temporalWorker.run();
  worker = { close: () => shutdownWorker(temporalWorker, running) };
});
afterAll(async () => {
  await worker?.close();
  await connection?.close();
  await h?.close();
});

async function mentorEvents(mentorId: string): Promise<MentorProfileEvent[]> {
  const { events } = await loadAggregate(
    { store: h.api.runtime.store, codec: h.api.runtime.codec },
    mentorProfileAggregate,
    mentorStream(mentorId),
  );
  return events.map((loaded) => loaded.event);
}

async function activeMenteesRead(mentorId: string): Promise<number | undefined> {
  const { rows } = await h.api.runtime.pool.query<{ active_mentees: number }>(
    'select active_mentees from mentor_profiles where user_id = $1',
    [mentorId],
  );
  return rows[0]?.active_mentees;
}

const cancelledAfterOne: MatchResult = {
  outcome: 'cancelled',
  mentorId: null,
  offers: 1,
  reason: null,
  proposedSlots: [],
};

describe('the matching saga compensates a cancel between AddMentee and MakeMatch', () => {
  it.each<[string, CancelAt]>([
    ['MakeMatch is refused because the learner cancelled', 'before_make_match'],
    ['the learner cancels right after the mentor took them on', 'after_add_mentee'],
  ])('releases the mentee when %s, and makes no match', async (_, point) => {
    const subject = freshSubject();
    const mentorId = await mentorOf(h, subject, { capacity: 1 });
    const learnerId = await learnerOf(h, subject);
    const requestId = await requestMatch(h, learnerId, subject);
    cancelAt.set(requestId, { learnerId, point });
    const saga = await sagaOf(h, requestId);

    await accept(h, requestId, await offerOf(h, requestId, 1));

    expect(await saga.result()).toEqual(cancelledAfterOne);
    expect(cancelAt.has(requestId)).toBe(false);
    expect((await saga.progress()).released).toBe(mentorId);
    expect(storyOf(await requestEvents(h, requestId))).toEqual([
      'MatchRequested',
      'CandidatesRanked',
      'MentorOffered #1',
      'OfferAccepted #1',
      'MatchRequestCancelled',
    ]);
    const events = await mentorEvents(mentorId);
    expect(events.map((event) => event.type)).toEqual([
      'MentorProfileUpserted',
      'MenteeAdded',
      'MenteeReleased',
    ]);
    expect(events[2]?.data).toEqual({
      mentorId,
      requestId,
      learnerId,
      reason: 'match_cancelled',
      activeMentees: 0,
    });
    // The seat is free again, in the aggregate and in the read model the ranking prefilters on.
    const mentor = await mentorOfId(h, mentorId);
    expect(mentor.activeMentees).toBe(0);
    expect(mentor.menteeRequests).toEqual([]);
    await vi.waitFor(async () => expect(await activeMenteesRead(mentorId)).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it('takes the freed seat for the next learner: the released mentor can be matched again', async () => {
    const subject = freshSubject();
    const mentorId = await mentorOf(h, subject, { capacity: 1 });
    const first = await learnerOf(h, subject);
    const cancelled = await requestMatch(h, first, subject);
    cancelAt.set(cancelled, { learnerId: first, point: 'before_make_match' });
    const firstSaga = await sagaOf(h, cancelled);
    await accept(h, cancelled, await offerOf(h, cancelled, 1));
    expect((await firstSaga.result()).outcome).toBe('cancelled');
    await vi.waitFor(async () => expect(await activeMenteesRead(mentorId)).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });

    const second = await learnerOf(h, subject);
    const requestId = await requestMatch(h, second, subject);
    const saga = await sagaOf(h, requestId);
    const offer = await offerOf(h, requestId, 1);
    expect(offer.mentorId).toBe(mentorId);
    await accept(h, requestId, offer);
    expect(await saga.result()).toMatchObject({ outcome: 'matched', mentorId });
    expect((await mentorOfId(h, mentorId)).activeMentees).toBe(1);
  });
});
