import type { InvitationRow, MyInvitationRow } from './invitation-queries.ts';

/** An invitation as the brand's admins see it: the address only as its masked hint. */
export const toInvitation = (row: InvitationRow) => ({
  id: row.invitation_id,
  brandId: row.brand_id,
  emailHint: row.email_hint,
  role: row.role,
  status: row.status,
  invitedBy: row.invited_by,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** An invitation as its invitee sees it: which brand, which role, until when. */
export const toMyInvitation = (row: MyInvitationRow) => ({
  id: row.invitation_id,
  brandId: row.brand_id,
  brandName: row.brand_name,
  role: row.role,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});
