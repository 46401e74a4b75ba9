import { loadAggregate } from '../../commands/load-aggregate.ts';
import { ownerOf } from '../../commands/reservations.ts';
import { EMAIL_SCOPE, normalizeEmail, userStream } from '../../domain/identity/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { users } from '../identity/aggregates.ts';
import type { PublishingDeps } from '../publishing-deps.ts';
import { commandIdFor, type RequestContext } from '../shared/command-context.ts';
import { issue } from './brands.ts';
import { invitationInput, inviteInput } from './inputs.ts';
import { invitationAddressKey, invitationEmailHash, invitationEmailHint } from './invitation-addresses.ts';

/**
 * Invitations addressed to an e-mail address: a brand admin invites an address, whoever signs in
 * with it accepts (or declines). The address itself is never stored, only its keyed hash and a
 * masked hint (see invitation-addresses.ts).
 */

/** Returns the new invitation's id. */
export async function inviteBrandMember(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const { brandId, email, role, idempotencyKey } = inviteInput.parse(raw);
  const emailHash = invitationEmailHash(invitationAddressKey(deps.authSecret), email);
  // The idempotency fingerprint (recorded in the events, salted with the command id, which is
  // recorded too) is taken over the address's keyed hash: over the address, a guess could be checked.
  const keyed = { brandId, emailHash, role, idempotencyKey };
  // The invitation id derives from the command id, so a retried invitation finds the one it made.
  const invitationId = commandIdFor(context, `inviteBrandMember:${brandId}`, keyed);
  // The account that holds the address now (if any), so a member is not invited again; the decider
  // refuses non-admins before it looks, so nobody else learns anything from it.
  const inviteeUserId = await ownerOf(deps.store, EMAIL_SCOPE, normalizeEmail(email));
  await issue(deps, context, brandId, invitationId, {
    type: 'InviteBrandMember',
    invitationId,
    emailHash,
    emailHint: invitationEmailHint(email),
    role,
    inviteeUserId,
  });
  return invitationId;
}

/** Returns the invitation's id. */
export async function revokeBrandInvitation(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = invitationInput.parse(raw);
  const { brandId, invitationId } = parsed;
  const operation = `revokeBrandInvitation:${invitationId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'RevokeBrandInvitation',
    invitationId,
  });
  return invitationId;
}

/** Returns the brand's id: the caller is a member of it now. */
export async function acceptBrandInvitation(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = invitationInput.parse(raw);
  const { brandId, invitationId } = parsed;
  const emailHash = await callerEmailHash(deps, context.actor);
  const operation = `acceptBrandInvitation:${invitationId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'AcceptBrandInvitation',
    invitationId,
    emailHash,
  });
  return brandId;
}

/** Returns the invitation's id. */
export async function declineBrandInvitation(deps: PublishingDeps, context: RequestContext, raw: unknown) {
  const parsed = invitationInput.parse(raw);
  const { brandId, invitationId } = parsed;
  const emailHash = await callerEmailHash(deps, context.actor);
  const operation = `declineBrandInvitation:${invitationId}`;
  await issue(deps, context, brandId, commandIdFor(context, operation, parsed), {
    type: 'DeclineBrandInvitation',
    invitationId,
    emailHash,
  });
  return invitationId;
}

/**
 * The hash of the caller's own account address, read from the user aggregate (the write side, so
 * an account registered a moment ago is found). Null for anyone without one: API keys and the
 * system (the decider refuses them) and forgotten users.
 */
export async function callerEmailHash(deps: PublishingDeps, actor: Actor): Promise<string | null> {
  if (actor.kind !== 'user') return null;
  const { state } = await loadAggregate(deps, users, userStream(actor.userId));
  if (state.status === 'unregistered' || state.email === null) return null;
  return invitationEmailHash(invitationAddressKey(deps.authSecret), state.email);
}
