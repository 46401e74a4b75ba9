import type { AccountEmailKind } from '../../notifications/email/account-templates.ts';

/** One account e-mail to send: the request event that asked for it. JSON only (workflow payload). */
export interface SendAccountEmailInput {
  /** The request event (EmailVerificationRequested / PasswordResetRequested): names the workflow. */
  eventId: string;
  kind: AccountEmailKind;
  userId: string;
  /** The request: the delivery row's id (at most one e-mail per request) and the link's token. */
  requestId: string;
  expiresAt: string;
}

/** What became of it, as the `notification_deliveries` row was settled. */
export type AccountEmailResult =
  | { state: 'sent' }
  | { state: 'failed' | 'skipped' | 'unknown'; reason: string }
  /** An earlier run already settled it (a retried activity, a replayed event). */
  | { state: 'already_settled'; previous: string };

export const accountEmailWorkflowId = (eventId: string) => `account-email-${eventId}`;
