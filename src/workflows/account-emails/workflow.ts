import { proxyActivities } from '@temporalio/workflow';
import type { AccountEmailActivities } from './activities.ts';
import type { AccountEmailResult, SendAccountEmailInput } from './types.ts';

/** Matches ACCOUNT_EMAIL_ATTEMPTS in activities.ts (not imported: the sandbox takes no Node modules). */
const ATTEMPTS = 8;

const acts = proxyActivities<AccountEmailActivities>({
  startToCloseTimeout: '1 minute',
  // 5 s, 10 s, 20 s … at most 5 minutes apart: a relay back within half an hour still delivers.
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: ATTEMPTS,
  },
});

/**
 * One account e-mail (verification or password reset), started by the reaction on its request
 * event (workflow id from the event id). The activity sends at most once and settles the
 * delivery row; its retries are this workflow's backoff.
 */
export async function sendAccountEmail(input: SendAccountEmailInput): Promise<AccountEmailResult> {
  return acts.sendAccountEmail(input);
}
