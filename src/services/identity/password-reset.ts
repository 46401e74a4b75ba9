import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { z } from 'zod';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { readRecoveryToken } from '../../auth/recovery-tokens.ts';
import { handleCommand } from '../../commands/handle-command.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { ownerOf } from '../../commands/reservations.ts';
import { EMAIL_SCOPE, normalizeEmail, userStream } from '../../domain/identity/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { users } from './aggregates.ts';
import type { SessionDeps } from './context.ts';
import { countResetRequest } from './password-reset-throttle.ts';
import { FailedSignInCost } from './sign-in-timing.ts';
import { invalidToken, recoveryTokenInput } from './verification.ts';

/** Reset requests come from people who are not signed in: the system records them for them. */
export const ACCOUNT_RECOVERY_ACTOR: Actor = { kind: 'system', process: 'account-recovery' };

const requestInput = z.object({ email: z.string().trim().min(1).max(254) });
const resetInput = z.object({
  token: recoveryTokenInput,
  newPassword: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
});

/**
 * How long recording a request for a real account takes lately (reading its stream, appending);
 * an unknown address waits as long, so the answer's timing does not tell them apart either.
 */
export const resetRequestCost = new FailedSignInCost();

export interface ResetRequestDeps extends SessionDeps {
  pool: pg.Pool;
}

/**
 * "I forgot my password": always answers the same (true) whether or not an account has this
 * address, after about the same time; only a real, active account under its own limit gets an
 * e-mail (through the account e-mail saga). Refused with RATE_LIMITED past the limits per address
 * and per client (password-reset-throttle.ts), which count known and unknown addresses alike.
 */
export async function requestPasswordReset(
  deps: ResetRequestDeps,
  context: RequestContext,
  raw: unknown,
  client: { address: string },
): Promise<true> {
  const input = requestInput.parse(raw);
  const email = normalizeEmail(input.email);
  const now = nowFrom(deps);
  await countResetRequest(deps, { email, clientAddress: client.address }, now);
  const userId = await ownerOf(deps.store, EMAIL_SCOPE, email);
  const startedAt = performance.now();
  const user = userId ? (await loadAggregate(deps, users, userStream(userId))).state : undefined;
  if (!user || user.status === 'unregistered') {
    await delay(resetRequestCost.draw());
    return true;
  }
  // No wait for the read models: nothing the caller sees depends on this write.
  await handleCommand(
    deps,
    users,
    userStream(user.userId),
    envelope(
      context,
      randomUUID(),
      now,
      { type: 'RequestPasswordReset' as const, requestId: randomUUID() },
      ACCOUNT_RECOVERY_ACTOR,
    ),
  );
  resetRequestCost.observe(performance.now() - startedAt);
  return true;
}

/**
 * A new password from the reset link: single use, 30 minutes, and every session of the account
 * ends with it (UserSessionsRevoked). A forged or altered token is refused before any hashing.
 */
export async function resetPassword(deps: SessionDeps, context: RequestContext, raw: unknown): Promise<void> {
  const input = resetInput.parse(raw);
  const claims = readRecoveryToken(deps.authSecret, 'password_reset', input.token);
  if (!claims) throw invalidToken();
  const passwordHash = await hashPassword(input.newPassword);
  await execute(
    deps,
    users,
    userStream(claims.userId),
    envelope(context, randomUUID(), nowFrom(deps), {
      type: 'ResetPassword' as const,
      requestId: claims.requestId,
      expiresAt: claims.expiresAt,
      passwordHash,
    }),
  );
}
