import type { Actor } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import type { BrandCommand } from './brand-commands.ts';
import type { BrandEvent } from './brand-events.ts';
import {
  type Brand,
  type BrandInvitation,
  type BrandState,
  isOpenInvitation,
  openInvitations,
} from './brand-state.ts';
import { emailHash, emailHint } from './brand-values.ts';
import { validOr } from './validate.ts';

/** How long an invitation can be accepted. */
export const INVITATION_LIFETIME_DAYS = 14;
/** Pending invitations a brand may have at once: invitations are for colleagues, not for mailing lists. */
export const MAX_OPEN_INVITATIONS = 50;

const DAY_MS = 86_400_000;

type Invite = Extract<BrandCommand, { type: 'InviteBrandMember' }>;
type Answer = Extract<BrandCommand, { type: 'AcceptBrandInvitation' | 'DeclineBrandInvitation' }>;

/** A brand admin invites an address (the caller is known to be one and the brand to be active). */
export function invite(brand: Brand, command: Invite, by: string, now: Date): BrandEvent[] {
  // Answered invitations keep their ids: an invitation id names one invitation for good.
  if (brand.invitations[command.invitationId]) {
    throw conflict('INVITATION_EXISTS', 'This invitation id is already used');
  }
  const hash = validOr(emailHash, command.emailHash, 'INVALID_EMAIL_HASH', 'e-mail address hash');
  const hint = validOr(emailHint, command.emailHint, 'INVALID_EMAIL_HINT', 'e-mail address hint');
  if (command.inviteeUserId !== null && brand.members[command.inviteeUserId] !== undefined) {
    throw conflict('MEMBER_EXISTS', 'This address belongs to a member of the brand');
  }
  const open = openInvitations(brand, now);
  if (open.some((invitation) => invitation.emailHash === hash)) {
    throw conflict('INVITATION_PENDING', 'This address already has a pending invitation to the brand');
  }
  if (open.length >= MAX_OPEN_INVITATIONS) {
    throw conflict(
      'TOO_MANY_INVITATIONS',
      `A brand has at most ${MAX_OPEN_INVITATIONS} pending invitations`,
      {
        max: MAX_OPEN_INVITATIONS,
      },
    );
  }
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_DAYS * DAY_MS).toISOString();
  return [
    {
      type: 'BrandInvitationSent',
      data: {
        brandId: brand.brandId,
        invitationId: command.invitationId,
        emailHash: hash,
        emailHint: hint,
        role: command.role,
        invitedBy: by,
        expiresAt,
      },
    },
  ];
}

/** A brand admin withdraws an invitation; expired ones too, so nothing about them stays "pending". */
export function revoke(brand: Brand, invitationId: string, by: string): BrandEvent[] {
  const invitation = brand.invitations[invitationId];
  if (!invitation) throw notFound('INVITATION_NOT_FOUND', 'No such invitation to this brand');
  if (invitation.status === 'revoked') return [];
  if (invitation.status !== 'pending') throw answeredAlready(invitation);
  return [{ type: 'BrandInvitationRevoked', data: { brandId: brand.brandId, invitationId, revokedBy: by } }];
}

/**
 * The invitee accepts or declines. Whoever the invitation is not addressed to (and whoever names an
 * invitation that does not exist) hears the same FORBIDDEN/NOT_INVITED, so nobody learns whether
 * an id names someone else's invitation; only the invitee hears why theirs cannot be answered.
 */
export function answer(command: Answer, state: BrandState, actor: Actor, now: Date): BrandEvent[] {
  // Joining a brand is the person's own decision: neither their API keys nor the system take it.
  if (actor.kind !== 'user') {
    throw forbidden('SIGNED_IN_USER_ONLY', 'Only the invitee, signed in, can answer an invitation');
  }
  const invitation = state.status === 'none' ? undefined : state.invitations[command.invitationId];
  if (
    state.status === 'none' ||
    !invitation ||
    command.emailHash === null ||
    invitation.emailHash !== command.emailHash
  ) {
    throw forbidden('NOT_INVITED', 'There is no invitation with this id for your e-mail address');
  }
  if (state.status === 'archived') throw conflict('BRAND_ARCHIVED', 'This brand is archived');
  if (invitation.status !== 'pending') throw answeredAlready(invitation);
  if (!isOpenInvitation(invitation, now)) {
    throw conflict('INVITATION_EXPIRED', 'This invitation has expired; ask a brand admin for a new one', {
      expiresAt: invitation.expiresAt,
    });
  }
  const { brandId } = state;
  const { invitationId } = invitation;
  const userId = actor.userId;
  if (command.type === 'DeclineBrandInvitation') {
    return [{ type: 'BrandInvitationDeclined', data: { brandId, invitationId, userId } }];
  }
  // Added directly meanwhile: the role is the admins' to change, not the invitation's.
  if (state.members[userId] !== undefined) {
    throw conflict('MEMBER_EXISTS', 'You are already a member of this brand; decline the invitation');
  }
  return [
    { type: 'BrandInvitationAccepted', data: { brandId, invitationId, userId } },
    // The admin who invited is who let the invitee in; the acceptance records the invitee's part.
    {
      type: 'BrandMemberAdded',
      data: { brandId, userId, role: invitation.role, addedBy: invitation.invitedBy },
    },
  ];
}

function answeredAlready(invitation: BrandInvitation) {
  const reasons = {
    accepted: 'INVITATION_ACCEPTED',
    declined: 'INVITATION_DECLINED',
    revoked: 'INVITATION_REVOKED',
    pending: 'INVITATION_PENDING',
  } as const;
  return conflict(reasons[invitation.status], `This invitation was already ${invitation.status}`);
}
