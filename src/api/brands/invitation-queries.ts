import type pg from 'pg';

/** An invitation as the read model holds it; `status` says `expired` for a pending one past its time. */
export interface InvitationRow {
  invitation_id: string;
  brand_id: string;
  email_hint: string;
  role: string;
  status: 'pending' | 'accepted' | 'declined' | 'revoked' | 'expired';
  invited_by: string;
  created_at: Date;
  expires_at: Date;
}

/** An invitation as its invitee reads it: with the name of the brand they are not a member of yet. */
export interface MyInvitationRow extends InvitationRow {
  brand_name: string;
}

/** More than a brand may have pending (50); the bound only protects the API from a runaway list. */
const MAX_LISTED = 200;

const COLUMNS = `i.invitation_id, i.brand_id, i.email_hint, i.role, i.invited_by, i.created_at, i.expires_at,
  case when i.status = 'pending' and i.expires_at <= now() then 'expired' else i.status end as status`;

/** The brand an invitation belongs to: the mutations are given the invitation's id alone. */
export async function invitationBrandId(pool: pg.Pool, invitationId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ brand_id: string }>(
    'select brand_id from brand_invitations where invitation_id = $1',
    [invitationId],
  );
  return rows[0]?.brand_id;
}

export async function findInvitation(pool: pg.Pool, invitationId: string) {
  const { rows } = await pool.query<InvitationRow>(
    `select ${COLUMNS} from brand_invitations i where i.invitation_id = $1`,
    [invitationId],
  );
  return rows[0];
}

/** A brand's invitations that can still be accepted, oldest first. */
export async function listOpenInvitations(pool: pg.Pool, brandId: string) {
  const { rows } = await pool.query<InvitationRow>(
    `select ${COLUMNS} from brand_invitations i
      where i.brand_id = $1 and i.status = 'pending' and i.expires_at > now()
      order by i.created_at, i.invitation_id limit ${MAX_LISTED}`,
    [brandId],
  );
  return rows;
}

/** The invitations addressed to one address hash that can still be accepted, on brands not archived. */
export async function listMyInvitations(pool: pg.Pool, emailHash: string) {
  const { rows } = await pool.query<MyInvitationRow>(
    `select ${COLUMNS}, b.name as brand_name from brand_invitations i join brands b using (brand_id)
      where i.email_hash = $1 and i.status = 'pending' and i.expires_at > now() and b.archived_at is null
      order by i.created_at, i.invitation_id limit ${MAX_LISTED}`,
    [emailHash],
  );
  return rows;
}

/** One invitation, if it is addressed to this address hash (in any state). */
export async function findMyInvitation(pool: pg.Pool, invitationId: string, emailHash: string) {
  const { rows } = await pool.query<MyInvitationRow>(
    `select ${COLUMNS}, b.name as brand_name from brand_invitations i join brands b using (brand_id)
      where i.invitation_id = $1 and i.email_hash = $2`,
    [invitationId, emailHash],
  );
  return rows[0];
}

/** The caller's account address as the users read model holds it (null once forgotten). */
export async function accountEmail(pool: pg.Pool, userId: string): Promise<string | null> {
  const { rows } = await pool.query<{ email: string | null }>('select email from users where user_id = $1', [
    userId,
  ]);
  return rows[0]?.email ?? null;
}
