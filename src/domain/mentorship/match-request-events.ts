import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  factorBreakdown,
  matchFailureReason,
  mentorCohort,
  skipReason,
  subjectKey,
  timeSpan,
} from './values.ts';

export const MAX_NOTE_LENGTH = 1_000;
export const MAX_DECLINE_REASON_LENGTH = 500;
export const MAX_CANDIDATES = 100;
export const MAX_PROPOSED_SLOTS = 10;

const requestId = z.uuid();
const offerNumber = z.number().int().min(1);
const personal = z.string().nullable();

export const rankedMentor = z.object({ mentorId: z.uuid(), factors: factorBreakdown });

export const matchRequestEventSchemas = {
  MatchRequested: z.object({
    requestId,
    learnerId: z.uuid(),
    subject: subjectKey,
    /** The learner's note to mentors (personal; null when none or forgotten). */
    note: personal,
  }),
  CandidatesRanked: z.object({
    requestId,
    candidates: z.array(rankedMentor).max(MAX_CANDIDATES),
  }),
  MentorOffered: z.object({
    requestId,
    learnerId: z.uuid(),
    mentorId: z.uuid(),
    offerNumber,
    factors: factorBreakdown,
    mentorCohort,
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  OfferAccepted: z.object({ requestId, mentorId: z.uuid(), offerNumber }),
  OfferDeclined: z.object({
    requestId,
    mentorId: z.uuid(),
    offerNumber,
    /** The mentor's words (personal, theirs; null when none or forgotten). */
    reason: personal,
  }),
  OfferExpired: z.object({ requestId, mentorId: z.uuid(), offerNumber }),
  /** `offerNumber` is set when an offer already made was withdrawn by the skip. */
  MentorSkipped: z.object({
    requestId,
    mentorId: z.uuid(),
    offerNumber: offerNumber.nullable(),
    reason: skipReason,
  }),
  MatchMade: z.object({
    requestId,
    learnerId: z.uuid(),
    mentorId: z.uuid(),
    offerNumber,
    factors: factorBreakdown,
  }),
  MatchFailed: z.object({ requestId, learnerId: z.uuid(), reason: matchFailureReason }),
  /** An offer still open when the learner cancelled is withdrawn with it. */
  MatchRequestCancelled: z.object({
    requestId,
    learnerId: z.uuid(),
    withdrawnOfferNumber: offerNumber.nullable(),
  }),
  FirstSessionTimesProposed: z.object({
    requestId,
    learnerId: z.uuid(),
    mentorId: z.uuid(),
    slots: z.array(timeSpan).max(MAX_PROPOSED_SLOTS),
  }),
};

type Schemas = typeof matchRequestEventSchemas;
export type MatchRequestEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type MatchRequestEventOf<Type extends MatchRequestEvent['type']> = Extract<
  MatchRequestEvent,
  { type: Type }
>;

const definition = <Type extends keyof Schemas>(type: Type) => ({
  type,
  schemaVersion: 1,
  schema: matchRequestEventSchemas[type],
});

export const matchRequestEventCatalogue: EventCatalogue<MatchRequestEvent> = {
  MatchRequested: {
    ...definition('MatchRequested'),
    personalFields: ['note'],
    subject: (data) => data.learnerId,
  },
  CandidatesRanked: definition('CandidatesRanked'),
  MentorOffered: definition('MentorOffered'),
  OfferAccepted: definition('OfferAccepted'),
  OfferDeclined: {
    ...definition('OfferDeclined'),
    personalFields: ['reason'],
    subject: (data) => data.mentorId,
  },
  OfferExpired: definition('OfferExpired'),
  MentorSkipped: definition('MentorSkipped'),
  MatchMade: definition('MatchMade'),
  MatchFailed: definition('MatchFailed'),
  MatchRequestCancelled: definition('MatchRequestCancelled'),
  FirstSessionTimesProposed: definition('FirstSessionTimesProposed'),
};
