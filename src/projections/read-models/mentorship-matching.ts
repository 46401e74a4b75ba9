import type { EventCodec } from '../../commands/event-codec.ts';
import {
  type MatchRequestEvent,
  matchRequestEventCatalogue,
} from '../../domain/mentorship/match-request-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Match requests and their offers. `match_requests` is what the learner, the offered mentors and
 * admins read (candidates with their factor breakdown, the open offer, the match and its factors,
 * why it failed, the proposed first-session times); `match_offers` holds one row per offer with its
 * outcome, which the ranking reads to never offer a learner again to a mentor who declined or let
 * an offer lapse, and the fairness report counts per cohort. The learner's note and a mentor's
 * decline reason stay in the events (personal data) and are not copied here.
 */
export function mentorshipMatchingProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'mentorship_matching',
    version: 1,
    eventTypes: Object.keys(matchRequestEventCatalogue),
    tables: {
      match_requests: {
        columns: `request_id uuid not null, learner_id uuid not null, subject text not null,
          status text not null, candidates jsonb, offered_mentor_ids uuid[] not null,
          current_offer_number int, current_offer_mentor_id uuid, current_offer_expires_at timestamptz,
          offer_count int not null, skipped jsonb not null, matched_mentor_id uuid, factors jsonb,
          failure_reason text, proposed_times jsonb, matched_at timestamptz,
          created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['request_id'],
        indexes: [
          '(learner_id, created_at desc, request_id desc)',
          'using gin (offered_mentor_ids)',
          '(status)',
        ],
      },
      match_offers: {
        columns: `request_id uuid not null, offer_number int not null, mentor_id uuid not null,
          learner_id uuid not null, mentor_cohort text not null, score double precision not null,
          factors jsonb not null, offered_at timestamptz not null, expires_at timestamptz not null,
          outcome text not null, answered_at timestamptz`,
        primaryKey: ['request_id', 'offer_number'],
        indexes: ['(learner_id, mentor_id)', '(offered_at)', '(mentor_id, offered_at desc)'],
      },
    },
    async apply(recorded, writer) {
      if (!recorded.streamName.startsWith('matchrequest-')) return;
      const decoded = await codec.decode(matchRequestEventCatalogue, recorded);
      if (decoded) await applyMatchRequestEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyMatchRequestEvent(event: MatchRequestEvent, writer: ReadModelWriter, at: string) {
  const { requestId } = event.data;
  const request = { request_id: requestId };
  const update = (changes: Record<string, unknown>) =>
    writer.update('match_requests', request, { ...changes, updated_at: at });
  const answer = (offerNumber: number, outcome: string) =>
    writer.update(
      'match_offers',
      { request_id: requestId, offer_number: offerNumber },
      { outcome, answered_at: at },
    );
  const closeOffer = {
    current_offer_number: null,
    current_offer_mentor_id: null,
    current_offer_expires_at: null,
  };
  switch (event.type) {
    case 'MatchRequested':
      writer.upsert('match_requests', {
        request_id: requestId,
        learner_id: event.data.learnerId,
        subject: event.data.subject,
        status: 'requested',
        candidates: null,
        offered_mentor_ids: [],
        offer_count: 0,
        skipped: [],
        created_at: at,
        updated_at: at,
      });
      return;
    case 'CandidatesRanked':
      return update({ candidates: event.data.candidates });
    case 'MentorOffered': {
      const { learnerId, mentorId, offerNumber, factors, mentorCohort, expiresAt } = event.data;
      writer.upsert('match_offers', {
        request_id: requestId,
        offer_number: offerNumber,
        mentor_id: mentorId,
        learner_id: learnerId,
        mentor_cohort: mentorCohort,
        score: factors.score,
        factors,
        offered_at: at,
        expires_at: expiresAt,
        outcome: 'pending',
        answered_at: null,
      });
      const known = await writer.get('match_requests', request);
      const offered = Array.isArray(known?.offered_mentor_ids) ? known.offered_mentor_ids : [];
      return update({
        status: 'offered',
        offered_mentor_ids: [...offered, mentorId],
        offer_count: offerNumber,
        current_offer_number: offerNumber,
        current_offer_mentor_id: mentorId,
        current_offer_expires_at: expiresAt,
      });
    }
    case 'OfferAccepted':
      return answer(event.data.offerNumber, 'accepted');
    case 'OfferDeclined':
      await answer(event.data.offerNumber, 'declined');
      return update({ status: 'requested', ...closeOffer });
    case 'OfferExpired':
      await answer(event.data.offerNumber, 'expired');
      return update({ status: 'requested', ...closeOffer });
    case 'MentorSkipped': {
      const { mentorId, offerNumber, reason } = event.data;
      const known = await writer.get('match_requests', request);
      const skipped = Array.isArray(known?.skipped) ? known.skipped : [];
      if (offerNumber !== null) await answer(offerNumber, 'skipped');
      return update({
        skipped: [...skipped, { mentorId, offerNumber, reason }],
        ...(offerNumber === null ? {} : { status: 'requested', ...closeOffer }),
      });
    }
    case 'MatchMade':
      return update({
        status: 'matched',
        matched_mentor_id: event.data.mentorId,
        factors: event.data.factors,
        matched_at: at,
        ...closeOffer,
      });
    case 'MatchFailed':
      return update({ status: 'failed', failure_reason: event.data.reason, ...closeOffer });
    case 'MatchRequestCancelled':
      if (event.data.withdrawnOfferNumber !== null)
        await answer(event.data.withdrawnOfferNumber, 'withdrawn');
      return update({ status: 'cancelled', ...closeOffer });
    case 'FirstSessionTimesProposed':
      return update({ proposed_times: event.data.slots });
  }
}
