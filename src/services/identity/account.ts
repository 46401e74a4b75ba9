import { hashPassword, verifyPassword } from '../../auth/passwords.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { requireSelf } from '../../domain/identity/authorization.ts';
import { userStream } from '../../domain/identity/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { users } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';
import {
  changePasswordInput,
  optionalUserIdInput,
  setRoleInput,
  updateProfileInput,
  userIdInput,
} from './inputs.ts';
import { PASSWORD_FIELDS, requireSamePassword } from './replayed-password.ts';

/** The user an operation is about: the signed-in user, or the key's owner for an integration. */
export function selfId(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  throw unauthenticated('SIGN_IN_REQUIRED', 'Sign in first');
}

export async function updateProfile(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = updateProfileInput.parse(raw);
  const userId = selfId(context.actor);
  const command = {
    type: 'ChangeProfile' as const,
    displayName: input.displayName,
    bio: input.bio,
    ...(input.clientTime === undefined ? {} : { clientTime: input.clientTime }),
  };
  return execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandIdFor(context, 'updateProfile', input), nowFrom(deps), command),
  );
}

export async function changePassword(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = changePasswordInput.parse(raw);
  const userId = selfId(context.actor);
  // Refused before any hashing: a key must not make the server spend two scrypt runs to say no.
  requireSelf(context.actor, userId, 'change the password');
  const { state } = await loadAggregate(deps, users, userStream(userId));
  if (state.status === 'unregistered') throw notFound('USER_NOT_FOUND', 'No such user');
  const [currentPasswordMatches, newPasswordHash] = await Promise.all([
    verifyPassword(input.currentPassword, state.passwordHash),
    hashPassword(input.newPassword),
  ]);
  const commandId = commandIdFor(context, 'changePassword', input, { secrets: PASSWORD_FIELDS });
  const result = await execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'ChangePassword' as const,
      currentPasswordMatches,
      newPasswordHash,
    }),
  );
  await requireSamePassword(result, input.newPassword);
  return result;
}

export async function setRole(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = setRoleInput.parse(raw);
  return execute(
    deps,
    users,
    userStream(input.userId),
    envelope(context, commandIdFor(context, `setRole:${input.userId}`, input), nowFrom(deps), {
      type: 'SetRole' as const,
      role: input.role,
    }),
  );
}

/** "Sign out everywhere": every session that began before now stops working. */
export async function revokeAllSessions(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = optionalUserIdInput.parse(raw);
  const userId = input.userId ?? selfId(context.actor);
  return execute(
    deps,
    users,
    userStream(userId),
    envelope(context, commandIdFor(context, `revokeAllSessions:${userId}`, input), nowFrom(deps), {
      type: 'RevokeAllSessions' as const,
    }),
  );
}

export async function deactivateUser(deps: IdentityDeps, context: RequestContext, raw: unknown) {
  const input = userIdInput.parse(raw);
  return execute(
    deps,
    users,
    userStream(input.userId),
    envelope(context, commandIdFor(context, `deactivate:${input.userId}`, input), nowFrom(deps), {
      type: 'DeactivateUser' as const,
      reason: 'requested',
    }),
  );
}
