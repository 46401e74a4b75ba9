import { generateBackupCodes } from '../../auth/backup-codes.ts';
import { generateTotpSecret, matchTotp, otpauthUri } from '../../auth/totp.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { requireSelf } from '../../domain/identity/authorization.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { conflict, notFound } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { selfId } from './account.ts';
import { users } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';
import { totpCodeInput } from './inputs.ts';

const ISSUER = 'Chronicle';

/** Step 1: a new secret for the authenticator app. Nothing changes at sign-in until it is confirmed. */
export async function enableTotp(deps: IdentityDeps, context: RequestContext) {
  const userId = selfId(context.actor);
  const secret = generateTotpSecret();
  const now = nowFrom(deps);
  const result = await execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandIdFor(context, 'enableTotp'), now, {
      type: 'StartTotpEnrollment' as const,
      secret,
    }),
  );
  return {
    secret,
    otpauthUri: otpauthUri({ secret, account: userId, issuer: ISSUER }),
    position: result.position,
  };
}

/** Step 2: the first code proves the app has the secret; the backup codes are shown this once. */
export async function verifyTotp(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const { code } = totpCodeInput.parse(raw);
  const userId = selfId(context.actor);
  // Who may confirm comes before what is pending: a key learns nothing about its owner's set-up.
  requireSelf(context.actor, userId, 'set up a second factor');
  const { state } = await loadAggregate(deps, users, userStream(userId));
  if (state.status === 'unregistered') throw notFound('USER_NOT_FOUND', 'No such user');
  const secret = state.totp && !state.totp.enabled ? state.totp.secret : null;
  if (!secret) throw conflict('NO_TOTP_ENROLLMENT', 'No two-factor set-up is pending; call enableTotp first');
  const now = nowFrom(deps);
  const backup = generateBackupCodes();
  const result = await execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandIdFor(context, 'verifyTotp'), now, {
      type: 'ConfirmTotp' as const,
      matchedStep: matchTotp(secret, code, now),
      backupCodeHashes: backup.hashes,
    }),
  );
  return { backupCodes: backup.codes, position: result.position };
}
