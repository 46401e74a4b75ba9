import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiProvider } from '../../../src/ai/create-ai-provider.ts';
import { createLogger } from '../../../src/logger.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { inviteBrandMember } from '../../../src/services/brands/invitations.ts';
import type { PublishingDeps } from '../../../src/services/publishing-deps.ts';
import {
  errorCodes,
  fieldOf,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from '../support/identity-app.ts';
import { registerAndSignIn, registerUser, signIn } from '../support/identity-operations.ts';
import { type BrandTeam, brandTeam } from './support.ts';

let api: IdentityApp;
let team: BrandTeam;
beforeAll(async () => {
  api = await startIdentityApp();
  team = await brandTeam(api);
});
afterAll(async () => {
  await api?.close();
});

const INVITATION_FIELDS = 'id brandId emailHint role status invitedBy createdAt expiresAt';
const INVITE = `mutation ($brandId: ID!, $email: String!, $role: BrandRole!) {
  inviteBrandMember(brandId: $brandId, email: $email, role: $role) { ${INVITATION_FIELDS} } }`;
const REVOKE = `mutation ($id: ID!) { revokeBrandInvitation(invitationId: $id) { ${INVITATION_FIELDS} } }`;
const ACCEPT = `mutation ($id: ID!) { acceptBrandInvitation(invitationId: $id) { id name myRole } }`;
const DECLINE = `mutation ($id: ID!) { declineBrandInvitation(invitationId: $id) { id status } }`;
const MINE = `{ myBrandInvitations { id brandId brandName role status expiresAt } }`;
const BRAND_INVITATIONS = `query ($id: ID!) { brand(id: $id) { invitations { ${INVITATION_FIELDS} } } }`;
const MEMBERS = `query ($id: ID!) { brand(id: $id) { members(page: { first: 50 }) { nodes { userId role } } } }`;

interface Invitation {
  id: string;
  brandId: string;
  emailHint: string;
  role: string;
  status: string;
  invitedBy: string;
  expiresAt: string;
}

/** An address nobody has registered yet; its local part is unique, so the store can be searched for it. */
const unusedAddress = () => `colleague-${randomUUID().slice(0, 8)}@example.org`;

async function invite(email: string, role = 'editor', token = team.admin.accessToken) {
  return fieldOf<Invitation>(
    await api.gql(INVITE, { brandId: team.brandId, email, role }, token),
    'inviteBrandMember',
  );
}

async function myInvitations(token: string) {
  return fieldOf<{ id: string; brandName: string; role: string }[]>(
    await api.gql(MINE, {}, token),
    'myBrandInvitations',
  );
}

describe('brand invitations through GraphQL', () => {
  it('lets a brand admin invite an address that registers later (in other case) and accepts', async () => {
    const address = unusedAddress();
    const invitation = await invite(address, 'approver');
    expect(invitation).toMatchObject({
      brandId: team.brandId,
      emailHint: 'c•••@example.org',
      role: 'approver',
      status: 'pending',
      invitedBy: team.admin.id,
    });
    const days = (Date.parse(invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);

    const listed = fieldOf<{ invitations: Invitation[] }>(
      await api.gql(BRAND_INVITATIONS, { id: team.brandId }, team.admin.accessToken),
      'brand',
    );
    expect(listed.invitations.map((i) => i.id)).toContain(invitation.id);
    // Members who are not admins see the brand but not who is being invited.
    const asEditor = fieldOf<{ invitations: Invitation[] | null }>(
      await api.gql(BRAND_INVITATIONS, { id: team.brandId }, team.editor.accessToken),
      'brand',
    );
    expect(asEditor.invitations).toBeNull();

    // The invitee registers later, typing the address in capitals.
    const { id: inviteeId } = await registerUser(api, address.toUpperCase(), 'New colleague');
    const { accessToken } = await signIn(api, address);
    const mine = await myInvitations(accessToken);
    expect(mine).toEqual([
      expect.objectContaining({
        id: invitation.id,
        brandName: expect.stringMatching(/^Brand /),
        role: 'approver',
      }),
    ]);
    // Nobody else sees it among theirs.
    expect((await myInvitations(team.outsider.accessToken)).map((i) => i.id)).not.toContain(invitation.id);

    const stranger = await api.gql(ACCEPT, { id: invitation.id }, team.outsider.accessToken);
    expect(errorCodes(stranger)).toEqual(['FORBIDDEN/NOT_INVITED']);
    const unknown = await api.gql(ACCEPT, { id: randomUUID() }, team.outsider.accessToken);
    expect(errorCodes(unknown)).toEqual(['FORBIDDEN/NOT_INVITED']);

    const joined = fieldOf<{ id: string; myRole: string }>(
      await api.gql(ACCEPT, { id: invitation.id }, accessToken),
      'acceptBrandInvitation',
    );
    expect(joined).toMatchObject({ id: team.brandId, myRole: 'approver' });
    const members = fieldOf<{ members: { nodes: { userId: string; role: string }[] } }>(
      await api.gql(MEMBERS, { id: team.brandId }, team.admin.accessToken),
      'brand',
    );
    expect(members.members.nodes).toContainEqual({ userId: inviteeId, role: 'approver' });
    expect(await myInvitations(accessToken)).toEqual([]);
    expect(errorCodes(await api.gql(ACCEPT, { id: invitation.id }, accessToken))).toEqual([
      'CONFLICT/INVITATION_ACCEPTED',
    ]);

    // The address is in the store nowhere: not in the invitation, not in the account's events
    // (its local part is unique, so any trace of it would match); the hint is, as a check of the search.
    const rowsHolding = async (text: string) => {
      const { rows } = await api.runtime.pool.query<{ n: string }>(
        'select count(*) as n from es_events e where e::text ilike $1',
        [`%${text}%`],
      );
      return Number(rows[0]?.n);
    };
    expect(await rowsHolding(address.split('@')[0] ?? address)).toBe(0);
    expect(await rowsHolding('c•••@example.org')).toBeGreaterThan(0);
  });

  it('refuses to invite a member, an address already invited, and anyone but brand admins', async () => {
    expect(
      errorCodes(
        await api.gql(
          INVITE,
          { brandId: team.brandId, email: team.viewer.email, role: 'editor' },
          team.admin.accessToken,
        ),
      ),
    ).toEqual(['CONFLICT/MEMBER_EXISTS']);
    const address = unusedAddress();
    await invite(address);
    expect(
      errorCodes(
        await api.gql(
          INVITE,
          { brandId: team.brandId, email: address, role: 'viewer' },
          team.admin.accessToken,
        ),
      ),
    ).toEqual(['CONFLICT/INVITATION_PENDING']);
    expect(
      errorCodes(
        await api.gql(
          INVITE,
          { brandId: team.brandId, email: unusedAddress(), role: 'viewer' },
          team.editor.accessToken,
        ),
      ),
    ).toEqual(['FORBIDDEN/BRAND_ADMIN_ONLY']);
    expect(
      errorCodes(
        await api.gql(
          INVITE,
          { brandId: team.brandId, email: 'not an address', role: 'viewer' },
          team.admin.accessToken,
        ),
      )[0],
    ).toMatch(/^VALIDATION/);
  });

  it('lets an existing account be invited, and decline', async () => {
    const someone = await registerAndSignIn(api, 'Someone');
    const invitation = await invite(someone.email, 'viewer');
    const declined = fieldOf<{ status: string }>(
      await api.gql(DECLINE, { id: invitation.id }, someone.accessToken),
      'declineBrandInvitation',
    );
    expect(declined.status).toBe('declined');
    expect(errorCodes(await api.gql(ACCEPT, { id: invitation.id }, someone.accessToken))).toEqual([
      'CONFLICT/INVITATION_DECLINED',
    ]);
  });

  it('refuses a revoked invitation', async () => {
    const someone = await registerAndSignIn(api, 'Revoked');
    const invitation = await invite(someone.email);
    expect(errorCodes(await api.gql(REVOKE, { id: invitation.id }, team.editor.accessToken))).toEqual([
      'FORBIDDEN/BRAND_ADMIN_ONLY',
    ]);
    const revoked = fieldOf<Invitation>(
      await api.gql(REVOKE, { id: invitation.id }, team.admin.accessToken),
      'revokeBrandInvitation',
    );
    expect(revoked.status).toBe('revoked');
    expect(await myInvitations(someone.accessToken)).toEqual([]);
    expect(errorCodes(await api.gql(ACCEPT, { id: invitation.id }, someone.accessToken))).toEqual([
      'CONFLICT/INVITATION_REVOKED',
    ]);
  });

  it('refuses an expired invitation', async () => {
    const someone = await registerAndSignIn(api, 'Too late');
    // Sent fifteen days ago through the real use case, with its clock set back.
    const { store, codec, pool, bus } = api.runtime;
    const deps: PublishingDeps = {
      store,
      codec,
      log: createLogger('silent'),
      ai: createAiProvider({}),
      authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
      clock: () => new Date(Date.now() - 15 * 86_400_000),
      settle: (position) => waitForPosition(pool, bus, position, { timeoutMs: 5_000 }),
    };
    const adminContext = {
      actor: { kind: 'user' as const, userId: team.admin.id, role: 'admin' as const },
      correlationId: randomUUID(),
    };
    const invitationId = await inviteBrandMember(deps, adminContext, {
      brandId: team.brandId,
      email: someone.email,
      role: 'editor',
    });
    expect(await myInvitations(someone.accessToken)).toEqual([]);
    const listed = fieldOf<{ invitations: Invitation[] }>(
      await api.gql(BRAND_INVITATIONS, { id: team.brandId }, team.admin.accessToken),
      'brand',
    );
    expect(listed.invitations.map((i) => i.id)).not.toContain(invitationId);
    expect(errorCodes(await api.gql(ACCEPT, { id: invitationId }, someone.accessToken))).toEqual([
      'CONFLICT/INVITATION_EXPIRED',
    ]);
    // Once expired, the address can be invited again.
    expect((await invite(someone.email)).status).toBe('pending');
  });
});
