/** What the winner rule needs of one checkpoint attempt. */
export interface AttemptCandidate {
  /** The device's time of the attempt (the server's when it did not come through sync). */
  clientTime: string;
  passed: boolean | null;
}

/**
 * The attempt that stands as a learner's answer to a checkpoint, from its attempts in the order
 * they were submitted: the first passed one (a pass is final), else the one with the latest client
 * time, the earlier-submitted on a tie (the one the server held first, as the conflict rules let
 * the server win a tie). The one rule both the push side (entity-views.ts, deciding conflicts) and
 * the pull side (the feed's loader, telling devices) apply, so they never name different winners.
 */
export function winningAttempt<Attempt extends AttemptCandidate>(
  attempts: readonly Attempt[],
): Attempt | undefined {
  const passed = attempts.find((attempt) => attempt.passed === true);
  if (passed !== undefined) return passed;
  let winner: Attempt | undefined;
  for (const attempt of attempts) {
    if (winner === undefined || Date.parse(attempt.clientTime) > Date.parse(winner.clientTime))
      winner = attempt;
  }
  return winner;
}
