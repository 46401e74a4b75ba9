import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import { loadConfig } from '../../../src/config.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import { cohortOf } from '../../../src/workflows/matching/progress.ts';
import { matchingReactions } from '../../../src/workflows/matching/reactions.ts';
import { DEFAULT_MATCHING_SETTINGS, resolveSettings } from '../../../src/workflows/matching/settings.ts';
import { reactionsWith } from '../../../src/workflows/reactions.ts';
import { TASK_QUEUES } from '../../../src/workflows/task-queues.ts';
import { NOW } from '../fixtures/harness.ts';

/** These events carry no encrypted field (no note, no decline reason): the codec never asks for a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);
const correlationId = randomUUID();
const requestId = randomUUID();
const learnerId = randomUUID();
const mentorId = randomUUID();

const recorded = (type: string, data: unknown): RecordedEvent => ({
  streamName: `matchrequest-${requestId}`,
  revision: 3n,
  position: 987n,
  id: randomUUID(),
  type,
  data,
  metadata: {
    commandId: correlationId,
    correlationId,
    causationId: correlationId,
    actor: `user:${learnerId}`,
    occurredAt: NOW.toISOString(),
    schemaVersion: 1,
  },
  hash: '',
  createdAt: NOW,
});

describe('matching reactions', () => {
  const [matching] = matchingReactions({ taskQueue: 'sagas-queue', settings: { offerTimeoutMs: 1_500 } });

  it('start one saga per match request, its id derived from the request, with the settings it was given', async () => {
    const event = recorded('MatchRequested', { requestId, learnerId, subject: 'algebra', note: null });
    expect(await matching?.actionsFor(event, codec)).toEqual([
      {
        kind: 'start',
        workflowType: 'matchMentor',
        workflowId: `matching-${requestId}`,
        taskQueue: 'sagas-queue',
        args: [
          {
            requestId,
            learnerId,
            subject: 'algebra',
            causationId: event.id,
            correlationId,
            settings: { offerTimeoutMs: 1_500 },
          },
        ],
      },
    ]);
  });

  it('signal the mentor’s accept and decline to that saga, with the event id and the offer answered', async () => {
    const accepted = recorded('OfferAccepted', { requestId, mentorId, offerNumber: 2 });
    const declined = recorded('OfferDeclined', { requestId, mentorId, offerNumber: 1, reason: null });
    expect(await matching?.actionsFor(accepted, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `matching-${requestId}`,
        signal: 'offerAnswered',
        args: [{ eventId: accepted.id, mentorId, offerNumber: 2, answer: 'accepted' }],
      },
    ]);
    expect(await matching?.actionsFor(declined, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `matching-${requestId}`,
        signal: 'offerAnswered',
        args: [{ eventId: declined.id, mentorId, offerNumber: 1, answer: 'declined' }],
      },
    ]);
  });

  it('signal the learner’s cancel with the event id, so a repeat is ignored', async () => {
    const event = recorded('MatchRequestCancelled', { requestId, learnerId, withdrawnOfferNumber: 1 });
    expect(await matching?.actionsFor(event, codec)).toEqual([
      {
        kind: 'signal',
        workflowId: `matching-${requestId}`,
        signal: 'matchRequestCancelled',
        args: [{ eventId: event.id }],
      },
    ]);
  });

  it('ignore the saga’s own steps', async () => {
    const offered = recorded('OfferExpired', { requestId, mentorId, offerNumber: 1 });
    const failed = recorded('MatchFailed', { requestId, learnerId, reason: 'no_candidates' });
    expect(await matching?.actionsFor(offered, codec)).toEqual([]);
    expect(await matching?.actionsFor(failed, codec)).toEqual([]);
  });
});

describe('mentor cohorts', () => {
  it('count a mentor with fewer than 3 completed sessions as new, and from 3 on as experienced', () => {
    expect([0, 1, 2, 3, 40].map(cohortOf)).toEqual(['new', 'new', 'new', 'experienced', 'experienced']);
  });
});

describe('matching settings', () => {
  it('default to a 24 h offer timeout and five offers, and keep what is given', () => {
    expect(DEFAULT_MATCHING_SETTINGS).toMatchObject({ offerTimeoutMs: 86_400_000, maxOffers: 5 });
    expect(resolveSettings({ offerTimeoutMs: 2_000, commands: { maximumAttempts: 3 } })).toEqual({
      offerTimeoutMs: 2_000,
      maxOffers: 5,
      commands: { ...DEFAULT_MATCHING_SETTINGS.commands, maximumAttempts: 3 },
    });
  });

  it('take the offer timeout from MATCH_OFFER_TIMEOUT_MS (24 h when unset) and refuse nonsense', () => {
    expect(loadConfig({}).MATCH_OFFER_TIMEOUT_MS).toBe(86_400_000);
    expect(loadConfig({ MATCH_OFFER_TIMEOUT_MS: '60000' }).MATCH_OFFER_TIMEOUT_MS).toBe(60_000);
    expect(() => loadConfig({ MATCH_OFFER_TIMEOUT_MS: '5' })).toThrow(/MATCH_OFFER_TIMEOUT_MS/);
  });

  it('reach the sagas the process manager starts: configured when given, the defaults otherwise', async () => {
    const event = recorded('MatchRequested', { requestId, learnerId, subject: 'algebra', note: null });
    const startsFor = async (reactions: ReturnType<typeof reactionsWith>) => {
      const actions = await Promise.all(reactions.map((reaction) => reaction.actionsFor(event, codec)));
      return actions.flat();
    };
    const configured = await startsFor(reactionsWith({ matching: { offerTimeoutMs: 60_000 } }));
    expect(configured).toEqual([
      expect.objectContaining({
        kind: 'start',
        taskQueue: TASK_QUEUES.sagas,
        args: [expect.objectContaining({ settings: { offerTimeoutMs: 60_000 } })],
      }),
    ]);
    const [byDefault] = await startsFor(reactionsWith());
    expect(byDefault?.kind === 'start' && byDefault.args[0]).not.toHaveProperty('settings');
  });
});
