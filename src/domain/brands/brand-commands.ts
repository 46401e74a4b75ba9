import type { BrandSettings } from './brand-events.ts';
import type { BrandIdentity, BrandRole, Channel, Workflow } from './brand-values.ts';

/**
 * Commands on a brand. Settings left out of CreateBrand start empty (no description, no identity,
 * no content types, a workflow without steps, no channels); an UpdateBrand field left out is
 * unchanged.
 */
export type BrandCommand =
  | {
      type: 'CreateBrand';
      brandId: string;
      name: string;
      description?: string;
      identity?: BrandIdentity;
      country: string;
      language: string;
      allowedContentTypes?: string[];
      workflow?: Workflow;
      channels?: Channel[];
    }
  | { type: 'UpdateBrand'; changes: Partial<BrandSettings> }
  | { type: 'ArchiveBrand'; reason?: string | null }
  | { type: 'AddBrandMember'; userId: string; role: BrandRole }
  | { type: 'ChangeBrandMemberRole'; userId: string; role: BrandRole }
  | { type: 'RemoveBrandMember'; userId: string }
  | { type: 'AddMasterClaim'; claimId: string; country: string; text: string }
  | { type: 'RemoveMasterClaim'; claimId: string }
  /**
   * `emailHash` and `emailHint` are made by the service from the address (the decider never sees
   * it); `inviteeUserId` is the account that holds the address now, if any, so inviting a member
   * can be refused.
   */
  | {
      type: 'InviteBrandMember';
      invitationId: string;
      emailHash: string;
      emailHint: string;
      role: BrandRole;
      inviteeUserId: string | null;
    }
  | { type: 'RevokeBrandInvitation'; invitationId: string }
  /** `emailHash`: the hash of the caller's own account address (null when they have none). */
  | { type: 'AcceptBrandInvitation'; invitationId: string; emailHash: string | null }
  | { type: 'DeclineBrandInvitation'; invitationId: string; emailHash: string | null };
