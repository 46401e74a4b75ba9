/**
 * The matching saga's id derives from the match request, so a replayed MatchRequested never starts
 * a second saga and the answers find the one that runs. Pure: shared by the reactions, the
 * workflow and tests.
 */
export const matchingWorkflowId = (requestId: string) => `matching-${requestId}`;

/** Signal and query names, as the process manager and clients address them. */
export const OFFER_ANSWERED_SIGNAL = 'offerAnswered';
export const MATCH_CANCELLED_SIGNAL = 'matchRequestCancelled';
export const MATCHING_PROGRESS_QUERY = 'progress';

/** The actor every saga command is issued as (`system:matching`). */
export const MATCHING_PROCESS = 'matching';

/**
 * The failure type an activity reports when the match request refused a command because the
 * learner cancelled it meanwhile: the saga then ends quietly, as on the cancel signal.
 */
export const REQUEST_CANCELLED = 'MATCH_REQUEST_CANCELLED';
