import { matchRequestEventCatalogue } from '../../domain/mentorship/match-request-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import { MATCH_CANCELLED_SIGNAL, matchingWorkflowId, OFFER_ANSWERED_SIGNAL } from './ids.ts';
import type { MatchingSettingsInput } from './settings.ts';
import type { MatchMentorInput, OfferAnsweredSignal } from './types.ts';

export interface MatchingReactionOptions {
  taskQueue: string;
  /** Handed to every saga this starts (the offer timeout from MATCH_OFFER_TIMEOUT_MS; tests make it short). */
  settings?: MatchingSettingsInput;
}

/**
 * MatchRequested starts the request's matching saga; the mentor's answers (OfferAccepted,
 * OfferDeclined) and the learner's MatchRequestCancelled signal it, each with the event id so a
 * repeat is ignored. The workflow id derives from the request: a replayed event starts nothing new.
 */
export function matchingReactions(options: MatchingReactionOptions): RegisteredReaction[] {
  const { taskQueue, settings } = options;
  return [
    defineReaction({
      name: 'matching',
      catalogue: matchRequestEventCatalogue,
      eventTypes: ['MatchRequested', 'OfferAccepted', 'OfferDeclined', 'MatchRequestCancelled'],
      react({ event, metadata, recorded }) {
        switch (event.type) {
          case 'MatchRequested': {
            const { requestId, learnerId, subject } = event.data;
            const input: MatchMentorInput = {
              requestId,
              learnerId,
              subject,
              causationId: recorded.id,
              correlationId: metadata.correlationId,
              ...(settings ? { settings } : {}),
            };
            return [
              {
                kind: 'start',
                workflowType: 'matchMentor',
                workflowId: matchingWorkflowId(requestId),
                taskQueue,
                args: [input],
              },
            ];
          }
          case 'OfferAccepted':
          case 'OfferDeclined': {
            const { requestId, mentorId, offerNumber } = event.data;
            const answer: OfferAnsweredSignal = {
              eventId: recorded.id,
              mentorId,
              offerNumber,
              answer: event.type === 'OfferAccepted' ? 'accepted' : 'declined',
            };
            return [
              {
                kind: 'signal',
                workflowId: matchingWorkflowId(requestId),
                signal: OFFER_ANSWERED_SIGNAL,
                args: [answer],
              },
            ];
          }
          case 'MatchRequestCancelled':
            return [
              {
                kind: 'signal',
                workflowId: matchingWorkflowId(event.data.requestId),
                signal: MATCH_CANCELLED_SIGNAL,
                args: [{ eventId: recorded.id }],
              },
            ];
          default:
            return [];
        }
      },
    }),
  ];
}
