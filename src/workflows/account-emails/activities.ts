import { ApplicationFailure, Context } from '@temporalio/activity';
import type pg from 'pg';
import { issueRecoveryToken } from '../../auth/recovery-tokens.ts';
import type { EventCodec } from '../../commands/event-codec.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { userStream } from '../../domain/identity/streams.ts';
import type { RecoveryRequest, User } from '../../domain/identity/user-state.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';
import { accountEmailLink, renderAccountEmail } from '../../notifications/email/account-templates.ts';
import type { SendOutcome } from '../../notifications/send-outcome.ts';
import { users } from '../../services/identity/aggregates.ts';
import type { AccountEmailResult, SendAccountEmailInput } from './types.ts';

/** The mailer as these activities use it (src/notifications/email/mailer.ts provides it). */
export interface AccountMailer {
  send(message: {
    to: string;
    subject: string;
    text: string;
    html: string;
    messageId: string;
    headers?: Record<string, string>;
  }): Promise<SendOutcome>;
}

export interface AccountEmailDeps {
  store: EventStore;
  codec: EventCodec;
  log: Logger;
  pool: pg.Pool;
  /** Null when SMTP_URL is unset: the e-mail is settled 'skipped'. */
  mailer: AccountMailer | null;
  /** The base of the links (PUBLIC_URL). */
  publicUrl: string;
  /** The links' tokens are signed with a key derived from it. */
  authSecret: Uint8Array;
  clock?: () => Date;
}

/** Attempts of one account e-mail before it is settled 'failed' (the workflow's retry policy matches). */
export const ACCOUNT_EMAIL_ATTEMPTS = 8;

const CHANNEL = 'email';
const TARGET = '';

export function createAccountEmailActivities(deps: AccountEmailDeps) {
  return {
    /**
     * Sends one account e-mail at most once: a `notification_deliveries` row per request is claimed
     * ('sending') right before the SMTP call and settled right after. A retry that finds the row
     * still 'sending' means a worker died mid-send: it settles 'unknown' and sends nothing (a
     * second reset e-mail is harmless, but the promise is at most once, as for notifications).
     * A transient failure puts the row back to 'pending' and throws, so Temporal retries with
     * backoff; the last attempt settles 'failed' with the reason instead. An answer that never came
     * after the message was sent (the mailer's 'unknown') settles 'unknown': it may have arrived.
     */
    async sendAccountEmail(input: SendAccountEmailInput): Promise<AccountEmailResult> {
      const { pool } = deps;
      const now = deps.clock?.() ?? new Date();
      await pool.query(
        `insert into notification_deliveries (notification_id, channel, target, recipient_id, kind, due_at)
         values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
        [input.requestId, CHANNEL, TARGET, input.userId, input.kind, now],
      );
      const { state } = await loadAggregate(deps, users, userStream(input.userId));
      const skip = skipReason(
        state.status === 'unregistered' ? null : state,
        input,
        now,
        deps.mailer !== null,
      );
      if (skip) return settleUnlessDone(pool, input.requestId, 'skipped', skip);
      const user = state as User;
      const claimed = await pool.query(
        `update notification_deliveries set state = 'sending', attempts = attempts + 1, updated_at = now()
          where notification_id = $1 and channel = $2 and target = $3 and state = 'pending'`,
        [input.requestId, CHANNEL, TARGET],
      );
      if (claimed.rowCount === 0) {
        return settleUnlessDone(
          pool,
          input.requestId,
          'unknown',
          'the worker stopped while sending: it may or may not have gone out',
          'sending',
        );
      }
      const token = issueRecoveryToken(deps.authSecret, input.kind, {
        userId: input.userId,
        requestId: input.requestId,
        expiresAt: input.expiresAt,
      });
      const rendered = renderAccountEmail({
        kind: input.kind,
        link: accountEmailLink(deps.publicUrl, input.kind, token),
        recipientName: user.displayName,
        expiresAt: input.expiresAt,
      });
      const outcome = await (deps.mailer as AccountMailer).send({
        to: user.email as string,
        ...rendered,
        messageId: `<${input.requestId}.email@chronicle>`,
      });
      return settleOutcome(deps, input, outcome);
    },
  };
}

export type AccountEmailActivities = ReturnType<typeof createAccountEmailActivities>;

/** Why this e-mail is not to be sent (any more), or null when it is. */
function skipReason(
  user: User | null,
  input: SendAccountEmailInput,
  now: Date,
  canSend: boolean,
): string | null {
  if (!user || user.status === 'forgotten') return 'the account has been forgotten';
  if (user.status !== 'active') return 'the account is deactivated';
  if (!user.email) return 'the account has no e-mail address';
  const requests: readonly RecoveryRequest[] =
    input.kind === 'email_verification' ? user.verificationRequests : user.resetRequests;
  const request = requests.find((each) => each.requestId === input.requestId);
  if (request?.closed) return `the link was ${request.closed} before the e-mail went out`;
  if (input.kind === 'email_verification' && user.emailVerifiedAt) return 'the address is already verified';
  if (Date.parse(input.expiresAt) <= now.getTime()) return 'the link expired before the e-mail went out';
  if (!canSend) return 'SMTP_URL unset';
  return null;
}

async function settleOutcome(
  deps: AccountEmailDeps,
  input: SendAccountEmailInput,
  outcome: SendOutcome,
): Promise<AccountEmailResult> {
  const { pool, log } = deps;
  if (outcome.outcome === 'sent') {
    await pool.query(
      `update notification_deliveries set state = 'sent', sent_at = now(), reason = null, updated_at = now()
        where notification_id = $1 and channel = $2 and target = $3`,
      [input.requestId, CHANNEL, TARGET],
    );
    return { state: 'sent' };
  }
  if (outcome.outcome === 'unknown') {
    // The server may have the message (no answer after it was sent): not sent again.
    log.warn(
      { requestId: input.requestId, kind: input.kind, reason: outcome.reason },
      'account e-mail unknown',
    );
    await pool.query(
      `update notification_deliveries set state = 'unknown', reason = $4, updated_at = now()
        where notification_id = $1 and channel = $2 and target = $3`,
      [input.requestId, CHANNEL, TARGET, outcome.reason],
    );
    return { state: 'unknown', reason: outcome.reason };
  }
  const attempt = Context.current().info.attempt;
  if (outcome.outcome === 'transient' && attempt < ACCOUNT_EMAIL_ATTEMPTS) {
    await pool.query(
      `update notification_deliveries set state = 'pending', reason = $4, updated_at = now()
        where notification_id = $1 and channel = $2 and target = $3`,
      [input.requestId, CHANNEL, TARGET, outcome.reason],
    );
    throw ApplicationFailure.create({
      message: `account e-mail not sent yet: ${outcome.reason}`,
      type: 'EMAIL_TRANSIENT',
      ...(outcome.retryAfterMs ? { nextRetryDelay: outcome.retryAfterMs } : {}),
    });
  }
  log.warn({ requestId: input.requestId, kind: input.kind, reason: outcome.reason }, 'account e-mail failed');
  await pool.query(
    `update notification_deliveries set state = 'failed', reason = $4, updated_at = now()
      where notification_id = $1 and channel = $2 and target = $3`,
    [input.requestId, CHANNEL, TARGET, outcome.reason],
  );
  return { state: 'failed', reason: outcome.reason };
}

/**
 * Settles the row `state` with `reason` if it is still `from` ('pending' unless given); a row an
 * earlier run settled stays as it is, and that is the answer.
 */
async function settleUnlessDone(
  pool: pg.Pool,
  requestId: string,
  state: 'skipped' | 'unknown',
  reason: string,
  from: 'pending' | 'sending' = 'pending',
): Promise<AccountEmailResult> {
  const { rows } = await pool.query<{ state: string; now: boolean }>(
    `with settled as (
       update notification_deliveries set state = $4, reason = $5, updated_at = now()
        where notification_id = $1 and channel = $2 and target = $3 and state = $6
        returning state)
     select state, true as now from settled
     union all
     select state, false as now from notification_deliveries
      where notification_id = $1 and channel = $2 and target = $3 and not exists (select 1 from settled)`,
    [requestId, CHANNEL, TARGET, state, reason, from],
  );
  // Settled by this call, or found settled already (by an earlier run, perhaps the same way).
  const row = rows[0];
  return row?.now ? { state, reason } : { state: 'already_settled', previous: row?.state ?? 'none' };
}
