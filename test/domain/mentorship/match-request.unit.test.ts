import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MatchRequestCommand } from '../../../src/domain/mentorship/match-request-commands.ts';
import { matchRequestDecider } from '../../../src/domain/mentorship/match-request-decider.ts';
import {
  type MatchRequestEvent,
  matchRequestEventCatalogue,
} from '../../../src/domain/mentorship/match-request-events.ts';
import type { FactorBreakdown } from '../../../src/domain/mentorship/values.ts';
import { anAdmin, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(matchRequestDecider);
const now = new Date('2025-03-03T09:00:00.000Z');
const later = '2025-03-04T09:00:00.000Z';
const REQUEST_ID = randomUUID();
const LEARNER_ID = randomUUID();
const MENTOR_A = randomUUID();
const MENTOR_B = randomUUID();
const learner = by(asUser(LEARNER_ID), now);
const mentorA = by(asUser(MENTOR_A), now);
const mentorB = by(asUser(MENTOR_B), now);
const system = by(theSystem('matching'), now);
const stranger = by(asUser(randomUUID()), now);

const factors: FactorBreakdown = {
  subject: 1,
  style: 1,
  language: 1,
  availability: 0.5,
  timezone: 1,
  history: 0.5,
  score: 0.875,
};

const requested: MatchRequestEvent = {
  type: 'MatchRequested',
  data: { requestId: REQUEST_ID, learnerId: LEARNER_ID, subject: 'typescript', note: 'Help with generics' },
};
const ranked: MatchRequestEvent = {
  type: 'CandidatesRanked',
  data: {
    requestId: REQUEST_ID,
    candidates: [
      { mentorId: MENTOR_A, factors },
      { mentorId: MENTOR_B, factors },
    ],
  },
};
const offered = (mentorId: string, offerNumber: number, expiresAt = later): MatchRequestEvent => ({
  type: 'MentorOffered',
  data: {
    requestId: REQUEST_ID,
    learnerId: LEARNER_ID,
    mentorId,
    offerNumber,
    factors,
    mentorCohort: 'new',
    expiresAt,
  },
});
const accepted = (mentorId: string, offerNumber: number): MatchRequestEvent => ({
  type: 'OfferAccepted',
  data: { requestId: REQUEST_ID, mentorId, offerNumber },
});
const declined = (
  mentorId: string,
  offerNumber: number,
  reason: string | null = null,
): MatchRequestEvent => ({
  type: 'OfferDeclined',
  data: { requestId: REQUEST_ID, mentorId, offerNumber, reason },
});
const expired = (mentorId: string, offerNumber: number): MatchRequestEvent => ({
  type: 'OfferExpired',
  data: { requestId: REQUEST_ID, mentorId, offerNumber },
});
const matched = (mentorId: string, offerNumber: number): MatchRequestEvent => ({
  type: 'MatchMade',
  data: { requestId: REQUEST_ID, learnerId: LEARNER_ID, mentorId, offerNumber, factors },
});
const failed: MatchRequestEvent = {
  type: 'MatchFailed',
  data: { requestId: REQUEST_ID, learnerId: LEARNER_ID, reason: 'offers_exhausted' },
};
const cancelled = (withdrawnOfferNumber: number | null = null): MatchRequestEvent => ({
  type: 'MatchRequestCancelled',
  data: { requestId: REQUEST_ID, learnerId: LEARNER_ID, withdrawnOfferNumber },
});

const request = (changes: Partial<Extract<MatchRequestCommand, { type: 'RequestMatch' }>> = {}) =>
  ({
    type: 'RequestMatch',
    requestId: REQUEST_ID,
    learnerId: LEARNER_ID,
    subject: '  TypeScript ',
    note: ' Help with generics ',
    learnerHasProfile: true,
    ...changes,
  }) satisfies MatchRequestCommand;
const offer = (mentorId: string, offerNumber: number, changes: Partial<MatchRequestCommand> = {}) =>
  ({
    type: 'OfferMentor',
    mentorId,
    offerNumber,
    factors,
    mentorCohort: 'new',
    expiresAt: later,
    ...changes,
  }) as MatchRequestCommand;
const accept = (offerNumber: number): MatchRequestCommand => ({ type: 'AcceptOffer', offerNumber });
const decline = (offerNumber: number, reason?: string): MatchRequestCommand => ({
  type: 'DeclineOffer',
  offerNumber,
  ...(reason === undefined ? {} : { reason }),
});
const makeMatch = (mentorId: string, offerNumber: number): MatchRequestCommand => ({
  type: 'MakeMatch',
  mentorId,
  offerNumber,
  factors,
});
const cancel: MatchRequestCommand = { type: 'CancelMatchRequest' };
const slots = [{ startsAt: '2025-03-05T18:00:00.000Z', endsAt: '2025-03-05T19:00:00.000Z' }];

describe('requesting a match', () => {
  it('records the subject normalised and the note trimmed', () => {
    spec.given([]).when(request(), learner).then([requested]);
  });

  it('records no note as null', () => {
    spec
      .given([])
      .when(request({ note: '  ' }), learner)
      .then([{ ...requested, data: { ...requested.data, note: null } } as MatchRequestEvent]);
  });

  it('needs the learner’s profile', () => {
    spec
      .given([])
      .when(request({ learnerHasProfile: false }), learner)
      .thenThrows('VALIDATION', 'LEARNER_PROFILE_REQUIRED');
  });

  it('is the learner’s own: nobody asks on someone else’s behalf', () => {
    spec.given([]).when(request(), stranger).thenThrows('VALIDATION', 'LEARNER_MISMATCH');
    spec.given([]).when(request(), system).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
    spec.given([]).when(request(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });

  it('refuses a bad subject, a long note, and a second request on the same stream', () => {
    spec
      .given([])
      .when(request({ subject: ' ' }), learner)
      .thenThrows('VALIDATION', 'INVALID_SUBJECT');
    spec
      .given([])
      .when(request({ note: 'x'.repeat(1_001) }), learner)
      .thenThrows('VALIDATION', 'NOTE_TOO_LONG');
    spec.given([requested]).when(request(), learner).thenThrows('CONFLICT', 'MATCH_REQUEST_EXISTS');
  });

  it('holds the note as the learner’s personal data', () => {
    const definition = matchRequestEventCatalogue.MatchRequested;
    expect(definition.personalFields).toEqual(['note']);
    if (requested.type === 'MatchRequested') expect(definition.subject?.(requested.data)).toBe(LEARNER_ID);
  });

  it('any other command on a request that does not exist is NOT_FOUND', () => {
    spec.given([]).when(cancel, learner).thenThrows('NOT_FOUND', 'MATCH_REQUEST_NOT_FOUND');
  });
});

describe('recording candidates', () => {
  const record: MatchRequestCommand = {
    type: 'RecordCandidates',
    candidates: [
      { mentorId: MENTOR_A, factors },
      { mentorId: MENTOR_B, factors },
    ],
  };

  it('records the ranking; the same ranking again decides nothing', () => {
    spec.given([requested]).when(record, system).then([ranked]);
    spec.given([requested, ranked]).when(record, system).thenNothing();
  });

  it('is the system’s step, on an open request, without the learner among the mentors', () => {
    spec.given([requested]).when(record, learner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec.given([requested, cancelled()]).when(record, system).thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec
      .given([requested])
      .when({ type: 'RecordCandidates', candidates: [{ mentorId: LEARNER_ID, factors }] }, system)
      .thenThrows('VALIDATION', 'SELF_MATCH');
    spec
      .given([requested])
      .when(
        { type: 'RecordCandidates', candidates: [{ mentorId: MENTOR_A, factors: { ...factors, score: 2 } }] },
        system,
      )
      .thenThrows('VALIDATION', 'INVALID_CANDIDATE');
  });
});

describe('offering a mentor', () => {
  it('offers the mentor with the factors and the cohort', () => {
    spec
      .given([requested, ranked])
      .when(offer(MENTOR_A, 1), system)
      .then([offered(MENTOR_A, 1)]);
  });

  it('decides nothing when the same offer is made again (a saga retry), even once answered', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(offer(MENTOR_A, 1), system)
      .thenNothing();
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(offer(MENTOR_A, 1), system)
      .thenNothing();
  });

  it('makes the next offer after a decline, numbered upwards', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(offer(MENTOR_B, 2), system)
      .then([offered(MENTOR_B, 2)]);
  });

  it('refuses a second offer while one is open, a used number, a lower number, and the same mentor twice', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(offer(MENTOR_B, 2), system)
      .thenThrows('CONFLICT', 'OFFER_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)])
      .when(offer(MENTOR_B, 2), system)
      .thenThrows('CONFLICT', 'OFFER_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(offer(MENTOR_B, 1), system)
      .thenThrows('CONFLICT', 'OFFER_NUMBER_USED');
    spec
      .given([requested, offered(MENTOR_A, 2), expired(MENTOR_A, 2)])
      .when(offer(MENTOR_B, 1), system)
      .thenThrows('VALIDATION', 'INVALID_OFFER_NUMBER');
    spec
      .given([requested, offered(MENTOR_A, 1), expired(MENTOR_A, 1)])
      .when(offer(MENTOR_A, 2), system)
      .thenThrows('CONFLICT', 'MENTOR_ALREADY_OFFERED');
  });

  it('refuses the learner as mentor, an expiry in the past, bad factors or cohort', () => {
    spec.given([requested]).when(offer(LEARNER_ID, 1), system).thenThrows('VALIDATION', 'SELF_MATCH');
    spec
      .given([requested])
      .when(offer(MENTOR_A, 1, { expiresAt: '2025-03-03T08:59:59.000Z' } as never), system)
      .thenThrows('VALIDATION', 'INVALID_EXPIRY');
    spec
      .given([requested])
      .when(offer(MENTOR_A, 1, { factors: { ...factors, style: -1 } } as never), system)
      .thenThrows('VALIDATION', 'INVALID_FACTORS');
    spec
      .given([requested])
      .when(offer(MENTOR_A, 1, { mentorCohort: 'veteran' } as never), system)
      .thenThrows('VALIDATION', 'INVALID_COHORT');
  });

  it('is the system’s step, on an open request', () => {
    spec.given([requested]).when(offer(MENTOR_A, 1), mentorA).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given([requested, failed])
      .when(offer(MENTOR_A, 1), system)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
  });
});

describe('accepting an offer', () => {
  it('is recorded for the offered mentor', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(accept(1), mentorA)
      .then([accepted(MENTOR_A, 1)]);
  });

  it('decides nothing when accepted again', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)])
      .when(accept(1), mentorA)
      .thenNothing();
  });

  it('is refused to anyone but the offered mentor: another mentor, the learner, a stranger, an admin, the system', () => {
    const history = [requested, offered(MENTOR_A, 1)];
    spec.given(history).when(accept(1), mentorB).thenThrows('FORBIDDEN', 'NOT_OFFERED_MENTOR');
    spec.given(history).when(accept(1), learner).thenThrows('FORBIDDEN', 'NOT_OFFERED_MENTOR');
    spec.given(history).when(accept(1), stranger).thenThrows('FORBIDDEN', 'NOT_OFFERED_MENTOR');
    spec.given(history).when(accept(1), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_OFFERED_MENTOR');
    spec.given(history).when(accept(1), system).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('is refused for an offer number that does not exist, to a mentor who had another offer', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(accept(2), mentorA)
      .thenThrows('NOT_FOUND', 'OFFER_NOT_FOUND');
  });

  it('is refused once declined, expired, or past its expiry', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(accept(1), mentorA)
      .thenThrows('CONFLICT', 'OFFER_NOT_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1), expired(MENTOR_A, 1)])
      .when(accept(1), mentorA)
      .thenThrows('CONFLICT', 'OFFER_NOT_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1, '2025-03-03T08:00:00.000Z')])
      .when(accept(1), mentorA)
      .thenThrows('CONFLICT', 'OFFER_EXPIRED');
  });

  it('is refused once the learner cancelled (the offer was withdrawn)', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), cancelled(1)])
      .when(accept(1), mentorA)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
  });
});

describe('declining an offer', () => {
  it('is recorded for the offered mentor, with their reason as their personal data', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(decline(1, ' Too busy this month '), mentorA)
      .then([declined(MENTOR_A, 1, 'Too busy this month')]);
    expect(matchRequestEventCatalogue.OfferDeclined.personalFields).toEqual(['reason']);
  });

  it('decides nothing when declined again', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(decline(1), mentorA)
      .thenNothing();
  });

  it('is refused to others, once accepted, and with a long reason', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(decline(1), mentorB)
      .thenThrows('FORBIDDEN', 'NOT_OFFERED_MENTOR');
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)])
      .when(decline(1), mentorA)
      .thenThrows('CONFLICT', 'OFFER_NOT_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(decline(1, 'x'.repeat(501)), mentorA)
      .thenThrows('VALIDATION', 'REASON_TOO_LONG');
  });
});

describe('expiring an offer', () => {
  const expire: MatchRequestCommand = { type: 'ExpireOffer', offerNumber: 1 };

  it('expires a pending offer', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(expire, system)
      .then([expired(MENTOR_A, 1)]);
  });

  it('is a no-op once the offer was answered or withdrawn', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)])
      .when(expire, system)
      .thenNothing();
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(expire, system)
      .thenNothing();
    spec
      .given([requested, offered(MENTOR_A, 1), cancelled(1)])
      .when(expire, system)
      .thenNothing();
  });

  it('is the system’s, for an offer that exists', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(expire, mentorA)
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec.given([requested]).when(expire, system).thenThrows('NOT_FOUND', 'OFFER_NOT_FOUND');
  });
});

describe('skipping a mentor', () => {
  it('skips a mentor before any offer, once', () => {
    const skip: MatchRequestCommand = { type: 'SkipMentor', mentorId: MENTOR_A, reason: 'at_capacity' };
    const skippedEvent: MatchRequestEvent = {
      type: 'MentorSkipped',
      data: { requestId: REQUEST_ID, mentorId: MENTOR_A, offerNumber: null, reason: 'at_capacity' },
    };
    spec.given([requested, ranked]).when(skip, system).then([skippedEvent]);
    spec.given([requested, ranked, skippedEvent]).when(skip, system).thenNothing();
  });

  it('withdraws an accepted offer when the mentor filled up meanwhile, and the next offer may follow', () => {
    const skip: MatchRequestCommand = {
      type: 'SkipMentor',
      mentorId: MENTOR_A,
      offerNumber: 1,
      reason: 'at_capacity',
    };
    const skippedEvent: MatchRequestEvent = {
      type: 'MentorSkipped',
      data: { requestId: REQUEST_ID, mentorId: MENTOR_A, offerNumber: 1, reason: 'at_capacity' },
    };
    const history = [requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)];
    spec.given(history).when(skip, system).then([skippedEvent]);
    spec
      .given([...history, skippedEvent])
      .when(skip, system)
      .thenNothing();
    spec
      .given([...history, skippedEvent])
      .when(offer(MENTOR_B, 2), system)
      .then([offered(MENTOR_B, 2)]);
  });

  it('refuses the wrong mentor for the offer, an unknown offer, an answered offer, people, and closed requests', () => {
    const skip = (changes: Partial<MatchRequestCommand>) =>
      ({
        type: 'SkipMentor',
        mentorId: MENTOR_A,
        offerNumber: 1,
        reason: 'not_accepting',
        ...changes,
      }) as MatchRequestCommand;
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(skip({ mentorId: MENTOR_B }), system)
      .thenThrows('VALIDATION', 'OFFER_MENTOR_MISMATCH');
    spec.given([requested]).when(skip({}), system).thenThrows('NOT_FOUND', 'OFFER_NOT_FOUND');
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(skip({}), system)
      .thenThrows('CONFLICT', 'OFFER_NOT_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(skip({}), learner)
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given([requested, failed])
      .when(skip({ offerNumber: undefined }), system)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec
      .given([requested])
      .when(skip({ offerNumber: undefined, reason: 'bored' } as never), system)
      .thenThrows('VALIDATION', 'INVALID_SKIP_REASON');
  });
});

describe('making the match', () => {
  const history = [requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)];

  it('matches the mentor who accepted, with the factors', () => {
    spec
      .given(history)
      .when(makeMatch(MENTOR_A, 1), system)
      .then([matched(MENTOR_A, 1)]);
  });

  it('decides nothing when the same match is made again', () => {
    spec
      .given([...history, matched(MENTOR_A, 1)])
      .when(makeMatch(MENTOR_A, 1), system)
      .thenNothing();
  });

  it('needs that offer accepted by that mentor', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(makeMatch(MENTOR_A, 1), system)
      .thenThrows('CONFLICT', 'OFFER_NOT_ACCEPTED');
    spec.given(history).when(makeMatch(MENTOR_B, 1), system).thenThrows('CONFLICT', 'OFFER_NOT_ACCEPTED');
  });

  it('refuses another mentor once matched, a cancelled request, and people', () => {
    spec
      .given([...history, matched(MENTOR_A, 1)])
      .when(makeMatch(MENTOR_B, 2), system)
      .thenThrows('CONFLICT', 'ALREADY_MATCHED');
    spec
      .given([...history, cancelled(1)])
      .when(makeMatch(MENTOR_A, 1), system)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec.given(history).when(makeMatch(MENTOR_A, 1), mentorA).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });
});

describe('failing the match', () => {
  const fail: MatchRequestCommand = { type: 'FailMatch', reason: 'offers_exhausted' };

  it('fails an open request with no open offer, once', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), expired(MENTOR_A, 1)])
      .when(fail, system)
      .then([failed]);
    spec.given([requested, failed]).when(fail, system).thenNothing();
  });

  it('refuses while an offer is open, once matched or cancelled, and people', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(fail, system)
      .thenThrows('CONFLICT', 'OFFER_PENDING');
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1), matched(MENTOR_A, 1)])
      .when(fail, system)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec.given([requested, cancelled()]).when(fail, system).thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec.given([requested]).when(fail, learner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given([requested])
      .when({ type: 'FailMatch', reason: 'bored' } as never, system)
      .thenThrows('VALIDATION', 'INVALID_FAILURE_REASON');
  });
});

describe('cancelling a request', () => {
  it('cancels, withdrawing the open offer (pending or accepted)', () => {
    spec.given([requested]).when(cancel, learner).then([cancelled()]);
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(cancel, learner)
      .then([cancelled(1)]);
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1)])
      .when(cancel, learner)
      .then([cancelled(1)]);
    spec
      .given([requested, offered(MENTOR_A, 1), declined(MENTOR_A, 1)])
      .when(cancel, learner)
      .then([cancelled()]);
  });

  it('decides nothing when cancelled again', () => {
    spec.given([requested, cancelled()]).when(cancel, learner).thenNothing();
  });

  it('is the learner’s only', () => {
    spec
      .given([requested, offered(MENTOR_A, 1)])
      .when(cancel, mentorA)
      .thenThrows('FORBIDDEN', 'NOT_REQUEST_LEARNER');
    spec.given([requested]).when(cancel, by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_REQUEST_LEARNER');
    spec.given([requested]).when(cancel, system).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('is refused once matched or failed', () => {
    spec
      .given([requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1), matched(MENTOR_A, 1)])
      .when(cancel, learner)
      .thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
    spec.given([requested, failed]).when(cancel, learner).thenThrows('CONFLICT', 'MATCH_REQUEST_CLOSED');
  });
});

describe('proposing first sessions', () => {
  const propose: MatchRequestCommand = { type: 'ProposeFirstSessions', slots };
  const matchedHistory = [requested, offered(MENTOR_A, 1), accepted(MENTOR_A, 1), matched(MENTOR_A, 1)];
  const proposed: MatchRequestEvent = {
    type: 'FirstSessionTimesProposed',
    data: { requestId: REQUEST_ID, learnerId: LEARNER_ID, mentorId: MENTOR_A, slots },
  };

  it('records the times once matched; the same times again decide nothing', () => {
    spec.given(matchedHistory).when(propose, system).then([proposed]);
    spec
      .given([...matchedHistory, proposed])
      .when(propose, system)
      .thenNothing();
  });

  it('refuses before the match, bad times, and people', () => {
    spec.given([requested]).when(propose, system).thenThrows('CONFLICT', 'NOT_MATCHED');
    spec
      .given(matchedHistory)
      .when(
        {
          type: 'ProposeFirstSessions',
          slots: [{ startsAt: slots[0]?.endsAt ?? '', endsAt: slots[0]?.startsAt ?? '' }],
        },
        system,
      )
      .thenThrows('VALIDATION', 'INVALID_SLOT');
    spec
      .given(matchedHistory)
      .when(
        { type: 'ProposeFirstSessions', slots: Array.from({ length: 11 }, () => slots[0]) } as never,
        system,
      )
      .thenThrows('VALIDATION', 'TOO_MANY_SLOTS');
    spec.given(matchedHistory).when(propose, learner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });
});
