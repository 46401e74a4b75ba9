import type { BrandEvent, BrandSettings } from './brand-events.ts';
import type { BrandRole } from './brand-values.ts';

export interface MasterClaim {
  claimId: string;
  country: string;
  text: string;
  /** Removed claims are kept so their ids are never reused. */
  removed: boolean;
}

export interface BrandInvitation {
  invitationId: string;
  emailHash: string;
  role: BrandRole;
  invitedBy: string;
  /** ISO instant; a pending invitation past it is expired (no event marks that). */
  expiresAt: string;
  status: 'pending' | 'accepted' | 'declined' | 'revoked';
}

export interface Brand extends BrandSettings {
  brandId: string;
  status: 'active' | 'archived';
  createdBy: string;
  /** Role by user id. */
  members: Readonly<Record<string, BrandRole>>;
  /** By claim id, removed ones included. */
  claims: Readonly<Record<string, MasterClaim>>;
  /** By invitation id, answered ones included (their ids are never reused). */
  invitations: Readonly<Record<string, BrandInvitation>>;
}

export type BrandState = { status: 'none' } | Brand;

export const initialBrandState: BrandState = { status: 'none' };

export function evolveBrand(state: BrandState, event: BrandEvent): BrandState {
  if (event.type === 'BrandCreated') {
    const { brandId, createdBy, ...settings } = event.data;
    return { ...settings, brandId, createdBy, status: 'active', members: {}, claims: {}, invitations: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'BrandUpdated':
      return { ...state, ...definedOnly(event.data.changes) };
    case 'BrandArchived':
      return { ...state, status: 'archived' };
    case 'BrandMemberAdded':
    case 'BrandMemberRoleChanged':
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    case 'BrandMemberRemoved': {
      const { [event.data.userId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    case 'MasterClaimAdded': {
      const { claimId, country, text } = event.data;
      return { ...state, claims: { ...state.claims, [claimId]: { claimId, country, text, removed: false } } };
    }
    case 'MasterClaimRemoved': {
      const claim = state.claims[event.data.claimId];
      if (!claim) return state;
      return { ...state, claims: { ...state.claims, [claim.claimId]: { ...claim, removed: true } } };
    }
    case 'BrandInvitationSent': {
      const { invitationId, emailHash, role, invitedBy, expiresAt } = event.data;
      const invitation: BrandInvitation = {
        invitationId,
        emailHash,
        role,
        invitedBy,
        expiresAt,
        status: 'pending',
      };
      return { ...state, invitations: { ...state.invitations, [invitationId]: invitation } };
    }
    case 'BrandInvitationAccepted':
      return answered(state, event.data.invitationId, 'accepted');
    case 'BrandInvitationDeclined':
      return answered(state, event.data.invitationId, 'declined');
    case 'BrandInvitationRevoked':
      return answered(state, event.data.invitationId, 'revoked');
    default:
      return state;
  }
}

function answered(brand: Brand, invitationId: string, status: BrandInvitation['status']): Brand {
  const invitation = brand.invitations[invitationId];
  if (!invitation) return brand;
  return { ...brand, invitations: { ...brand.invitations, [invitationId]: { ...invitation, status } } };
}

/** A partial update's present keys: an explicit `undefined` must not blank a setting. */
function definedOnly(changes: Partial<BrandSettings>): Partial<BrandSettings> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}

export const isBrandAdmin = (brand: Brand, userId: string) => brand.members[userId] === 'admin';

export const brandAdminCount = (brand: Brand) =>
  Object.values(brand.members).filter((role) => role === 'admin').length;

export const activeClaims = (brand: Brand): MasterClaim[] =>
  Object.values(brand.claims).filter((claim) => !claim.removed);

/** Pending and not yet expired at `now`: what counts against the cap and blocks a second invitation. */
export const isOpenInvitation = (invitation: BrandInvitation, now: Date) =>
  invitation.status === 'pending' && now.getTime() < Date.parse(invitation.expiresAt);

export const openInvitations = (brand: Brand, now: Date): BrandInvitation[] =>
  Object.values(brand.invitations).filter((invitation) => isOpenInvitation(invitation, now));
