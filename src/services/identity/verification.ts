import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readRecoveryToken } from '../../auth/recovery-tokens.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { selfId } from './account.ts';
import { users } from './aggregates.ts';
import type { SessionDeps } from './context.ts';

/** Longer than any token this server makes; the shape is checked when it is read. */
export const recoveryTokenInput = z.string().trim().min(1).max(200);

const resendInput = z.object({ idempotencyKey: z.string().min(8).max(128).optional() }).default({});
const verifyInput = z.object({ token: recoveryTokenInput });

export const invalidToken = () => validation('INVALID_TOKEN', 'This link is not valid');

/**
 * Another verification e-mail for the signed-in user's address (the first is asked for with the
 * registration itself). The e-mail goes out through the account e-mail saga once the request is
 * stored; past 3 an hour this is RATE_LIMITED with `retryAfterSeconds`.
 */
export async function resendVerificationEmail(
  deps: SessionDeps,
  context: RequestContext,
  raw: unknown,
): Promise<{ expiresAt: string | null }> {
  const input = resendInput.parse(raw ?? {});
  const userId = selfId(context.actor);
  const result = await execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandIdFor(context, 'resendVerificationEmail', input), nowFrom(deps), {
      type: 'RequestEmailVerification' as const,
      requestId: randomUUID(),
    }),
  );
  const requested = result.events.find((event) => event.type === 'EmailVerificationRequested');
  return { expiresAt: requested?.type === 'EmailVerificationRequested' ? requested.data.expiresAt : null };
}

/**
 * Follows a verification link. Anyone holding it may (the e-mail is the proof), except someone
 * signed in as another account. Single use: a second time is CONFLICT TOKEN_USED.
 */
export async function verifyEmail(
  deps: SessionDeps,
  context: RequestContext,
  raw: unknown,
): Promise<{ userId: string; verifiedAt: string }> {
  const input = verifyInput.parse(raw);
  const claims = readRecoveryToken(deps.authSecret, 'email_verification', input.token);
  if (!claims) throw invalidToken();
  const result = await execute(
    deps,
    users,
    userStream(claims.userId),
    envelope(context, randomUUID(), nowFrom(deps), {
      type: 'VerifyEmail' as const,
      requestId: claims.requestId,
      expiresAt: claims.expiresAt,
    }),
  );
  const verified = result.events.find((event) => event.type === 'UserEmailVerified');
  return {
    userId: claims.userId,
    verifiedAt: verified?.type === 'UserEmailVerified' ? verified.data.at : nowFrom(deps).toISOString(),
  };
}
