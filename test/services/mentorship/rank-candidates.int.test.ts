import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankCandidates } from '../../../src/services/mentorship/rank-candidates.ts';
import {
  factorsOf,
  inADay,
  learnerProfile,
  mentorProfile,
  onMentor,
  onRequest,
} from '../../api/mentorship/matching-support.ts';
import { type IdentityApp, startIdentityApp } from '../../api/support/identity-app.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const asUser = (userId: string) => ({ kind: 'user', userId, role: 'user' }) as const;

/** A request of `learnerId` with an offer to `mentorId`, answered as `outcome` says. */
async function offered(learnerId: string, mentorId: string, outcome: 'declined' | 'expired' | 'pending') {
  const requestId = randomUUID();
  await onRequest(
    api,
    requestId,
    { type: 'RequestMatch', requestId, learnerId, subject: 'typescript', learnerHasProfile: true },
    asUser(learnerId),
  );
  await onRequest(api, requestId, {
    type: 'OfferMentor',
    mentorId,
    offerNumber: 1,
    factors: factorsOf(0.9),
    mentorCohort: 'new',
    expiresAt: inADay(),
  });
  if (outcome === 'declined')
    await onRequest(api, requestId, { type: 'DeclineOffer', offerNumber: 1 }, asUser(mentorId));
  if (outcome === 'expired') await onRequest(api, requestId, { type: 'ExpireOffer', offerNumber: 1 });
}

describe('ranking candidates on the read models', () => {
  const learner = randomUUID();
  const otherLearner = randomUUID();
  const [fit, twin, offeredElsewhere, notAccepting, full, pythonOnly, declined, expired, excluded] =
    Array.from({ length: 9 }, () => randomUUID());
  const wednesday = new Date('2025-01-15T12:00:00.000Z');

  beforeAll(async () => {
    await learnerProfile(api, learner);
    await learnerProfile(api, otherLearner);
    for (const mentor of [fit, twin, offeredElsewhere, declined, expired, excluded] as string[]) {
      await mentorProfile(api, mentor);
    }
    await mentorProfile(api, notAccepting as string, { accepting: false });
    await mentorProfile(api, full as string, { capacity: 1 });
    await onMentor(api, full as string, {
      type: 'AddMentee',
      requestId: randomUUID(),
      learnerId: otherLearner,
    });
    await mentorProfile(api, pythonOnly as string, { subjects: [{ subject: 'python', level: 'expert' }] });
    // The learner is a mentor of the subject too: never their own candidate.
    await mentorProfile(api, learner);
    await offered(learner, declined as string, 'declined');
    await offered(learner, expired as string, 'expired');
    await offered(otherLearner, offeredElsewhere as string, 'pending');
  });

  it('prefilters in SQL and ranks the rest, ties to the mentor offered least recently, then by id', async () => {
    const ranked = await rankCandidates(api.runtime.pool, {
      learnerId: learner,
      subject: ' TypeScript ',
      excludeMentorIds: [excluded as string],
      at: wednesday,
    });
    const neverOffered = [fit, twin].sort() as string[];
    expect(ranked.map((candidate) => candidate.mentorId)).toEqual([...neverOffered, offeredElsewhere]);
    // Same profile, same score: Berlin expert, socratic, en, Mon 18–20 vs the learner's London Mon 17–19.
    // subject 1, style 1, language 1, availability 1 (17–19 UTC both), timezone 1 − 1/12 = 0.9167, history 0.5
    // score = 0.3 + 0.2 + 0.15 + 0.15 + 0.09167 + 0.05 = 0.94167 → 0.9417
    for (const candidate of ranked) {
      expect(candidate.factors).toEqual({
        subject: 1,
        style: 1,
        language: 1,
        availability: 1,
        timezone: 0.9167,
        history: 0.5,
        score: 0.9417,
      });
      expect(candidate.completedSessions).toBe(0);
    }
    expect(ranked[0]?.lastOfferedAt).toBeNull();
    expect(ranked[2]?.lastOfferedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('excludes by the given list and keeps the limit', async () => {
    const ranked = await rankCandidates(api.runtime.pool, {
      learnerId: learner,
      subject: 'typescript',
      excludeMentorIds: [fit as string, twin as string],
      limit: 5,
      at: wednesday,
    });
    // `excluded` (left out only by the first query) was never offered: it comes first.
    expect(ranked.map((candidate) => candidate.mentorId)).toEqual([excluded, offeredElsewhere]);
    const one = await rankCandidates(api.runtime.pool, {
      learnerId: learner,
      subject: 'typescript',
      limit: 1,
      at: wednesday,
    });
    expect(one).toHaveLength(1);
  });

  it('a mentor who declined or let an offer lapse is still a candidate for another learner', async () => {
    const ranked = await rankCandidates(api.runtime.pool, {
      learnerId: otherLearner,
      subject: 'typescript',
      at: wednesday,
    });
    const ids = ranked.map((candidate) => candidate.mentorId);
    expect(ids).toEqual(expect.arrayContaining([declined, expired, learner]));
    expect(ids).not.toContain(full);
    expect(ids).not.toContain(notAccepting);
    expect(ids).not.toContain(pythonOnly);
  });

  it('a learner without a profile is NOT_FOUND', async () => {
    await expect(
      rankCandidates(api.runtime.pool, { learnerId: randomUUID(), subject: 'typescript' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: 'LEARNER_PROFILE_NOT_FOUND',
    });
  });
});
