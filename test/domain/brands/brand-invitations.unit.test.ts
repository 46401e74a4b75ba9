import { describe, expect, it } from 'vitest';
import type { BrandCommand } from '../../../src/domain/brands/brand-commands.ts';
import { brandDecider } from '../../../src/domain/brands/brand-decider.ts';
import { type BrandEvent, brandEventCatalogue } from '../../../src/domain/brands/brand-events.ts';
import type { Brand } from '../../../src/domain/brands/brand-state.ts';
import { MAX_OPEN_INVITATIONS } from '../../../src/domain/brands/invitation-decisions.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, asUser, by, shift, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  BRAND_ADMIN_ID,
  brandArchived,
  CREATOR_ID,
  EDITOR_ID,
  EXPIRES_AT,
  INVITATION_ID,
  INVITEE_HASH,
  INVITEE_ID,
  invitationAccepted,
  invitationDeclined,
  invitationRevoked,
  invitationSent,
  memberAdded,
  now,
  OTHER_HASH,
  OUTSIDER_ID,
  staffedBrand,
  VIEWER_ID,
} from './brand-fixtures.ts';

const spec = deciderSpec(brandDecider);

const brandAdmin = by(asUser(BRAND_ADMIN_ID), now);
const invitee = by(asUser(INVITEE_ID), now);
const DAY = 86_400_000;
/** The instant the invitation stops being acceptable, and a moment before. */
const atExpiry = new Date(EXPIRES_AT);
const justBeforeExpiry = shift(atExpiry, -1);

const inviteCommand = (overrides: Partial<Extract<BrandCommand, { type: 'InviteBrandMember' }>> = {}) =>
  ({
    type: 'InviteBrandMember',
    invitationId: INVITATION_ID,
    emailHash: INVITEE_HASH,
    emailHint: 'i•••@example.org',
    role: 'editor',
    inviteeUserId: null,
    ...overrides,
  }) satisfies BrandCommand;

const accept = (emailHash: string | null = INVITEE_HASH, invitationId = INVITATION_ID): BrandCommand => ({
  type: 'AcceptBrandInvitation',
  invitationId,
  emailHash,
});
const decline = (emailHash: string | null = INVITEE_HASH): BrandCommand => ({
  type: 'DeclineBrandInvitation',
  invitationId: INVITATION_ID,
  emailHash,
});

/** `count` pending invitations to distinct addresses, sent at `now` unless told otherwise. */
const manyInvitations = (count: number, expiresAt = EXPIRES_AT): BrandEvent[] =>
  Array.from({ length: count }, (_, index) =>
    invitationSent({
      invitationId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      emailHash: index.toString(16).padStart(64, '0'),
      expiresAt,
    }),
  );

describe('InviteBrandMember', () => {
  it('invites an address with a role, for fourteen days, recording the admin who invited', () => {
    spec.given(staffedBrand()).when(inviteCommand(), brandAdmin).then([invitationSent()]);
  });

  it("records an API key's owner, a platform admin or the system process as the inviter", () => {
    spec
      .given(staffedBrand())
      .when(inviteCommand(), by(anIntegration(BRAND_ADMIN_ID, ['graphql:write']), now))
      .then([invitationSent()]);
    spec
      .given(staffedBrand())
      .when(inviteCommand(), by(asUser(OUTSIDER_ID, 'admin'), now))
      .then([invitationSent({ invitedBy: OUTSIDER_ID })]);
    spec
      .given(staffedBrand())
      .when(inviteCommand(), by(theSystem('onboarding'), now))
      .then([invitationSent({ invitedBy: 'system:onboarding' })]);
  });

  it('invites the address of someone who has an account but is not a member', () => {
    spec
      .given(staffedBrand())
      .when(inviteCommand({ inviteeUserId: OUTSIDER_ID }), brandAdmin)
      .then([invitationSent()]);
  });

  it('refuses the address of a member', () => {
    spec
      .given(staffedBrand())
      .when(inviteCommand({ inviteeUserId: VIEWER_ID }), brandAdmin)
      .thenThrows('CONFLICT', 'MEMBER_EXISTS');
  });

  it('refuses a second invitation to an address with one pending', () => {
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(
        inviteCommand({ invitationId: crypto.randomUUID() }),
        by(asUser(BRAND_ADMIN_ID), justBeforeExpiry),
      )
      .thenThrows('CONFLICT', 'INVITATION_PENDING');
  });

  it('invites the address again once its invitation expired, was revoked or was declined', () => {
    const again = inviteCommand({ invitationId: 'a1b2c3d4-0000-4000-8000-000000000001' });
    const expectedAt = (at: Date) => [
      invitationSent({
        invitationId: again.invitationId,
        expiresAt: new Date(at.getTime() + 14 * DAY).toISOString(),
      }),
    ];
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(again, by(asUser(BRAND_ADMIN_ID), atExpiry))
      .then(expectedAt(atExpiry));
    spec
      .given([...staffedBrand(), invitationSent(), invitationRevoked()])
      .when(again, brandAdmin)
      .then(expectedAt(now));
    spec
      .given([...staffedBrand(), invitationSent(), invitationDeclined()])
      .when(again, brandAdmin)
      .then(expectedAt(now));
  });

  it('never reuses an invitation id, not even after the invitation was revoked', () => {
    spec
      .given([...staffedBrand(), invitationSent({ emailHash: OTHER_HASH }), invitationRevoked()])
      .when(inviteCommand(), brandAdmin)
      .thenThrows('CONFLICT', 'INVITATION_EXISTS');
  });

  it(`keeps at most ${MAX_OPEN_INVITATIONS} invitations pending; expired ones do not count`, () => {
    spec
      .given([...staffedBrand(), ...manyInvitations(MAX_OPEN_INVITATIONS)])
      .when(inviteCommand(), brandAdmin)
      .thenThrows('CONFLICT', 'TOO_MANY_INVITATIONS');
    spec
      .given([...staffedBrand(), ...manyInvitations(MAX_OPEN_INVITATIONS - 1)])
      .when(inviteCommand(), brandAdmin)
      .then([invitationSent()]);
    spec
      .given([...staffedBrand(), ...manyInvitations(MAX_OPEN_INVITATIONS, now.toISOString())])
      .when(inviteCommand(), brandAdmin)
      .then([invitationSent()]);
  });

  it('refuses a hash or a hint that is not what events keep', () => {
    spec
      .given(staffedBrand())
      .when(inviteCommand({ emailHash: 'invitee@example.org' }), brandAdmin)
      .thenThrows('VALIDATION', 'INVALID_EMAIL_HASH');
    spec
      .given(staffedBrand())
      .when(inviteCommand({ emailHint: '' }), brandAdmin)
      .thenThrows('VALIDATION', 'INVALID_EMAIL_HINT');
  });
});

describe('RevokeBrandInvitation', () => {
  const revoke: BrandCommand = { type: 'RevokeBrandInvitation', invitationId: INVITATION_ID };

  it('revokes a pending invitation, and an expired one; revoking again decides nothing', () => {
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(revoke, brandAdmin)
      .then([invitationRevoked()]);
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(revoke, by(asUser(BRAND_ADMIN_ID), shift(atExpiry, DAY)))
      .then([invitationRevoked()]);
    spec
      .given([...staffedBrand(), invitationSent(), invitationRevoked()])
      .when(revoke, brandAdmin)
      .thenNothing();
  });

  it('refuses an invitation that was answered', () => {
    spec
      .given([...staffedBrand(), invitationSent(), invitationAccepted(), memberAdded(INVITEE_ID, 'editor')])
      .when(revoke, brandAdmin)
      .thenThrows('CONFLICT', 'INVITATION_ACCEPTED');
    spec
      .given([...staffedBrand(), invitationSent(), invitationDeclined()])
      .when(revoke, brandAdmin)
      .thenThrows('CONFLICT', 'INVITATION_DECLINED');
  });

  it('refuses an invitation the brand never sent', () => {
    spec.given(staffedBrand()).when(revoke, brandAdmin).thenThrows('NOT_FOUND', 'INVITATION_NOT_FOUND');
  });
});

describe('AcceptBrandInvitation', () => {
  it('makes the invitee a member with the role, added by the admin who invited', () => {
    spec
      .given([...staffedBrand(), invitationSent({ role: 'approver' })])
      .when(accept(), by(asUser(INVITEE_ID), justBeforeExpiry))
      .then([invitationAccepted(), memberAdded(INVITEE_ID, 'approver', BRAND_ADMIN_ID)]);
  });

  it('tells anyone the invitation is not addressed to that they are not invited: members and platform admins too', () => {
    for (const context of [
      by(asUser(OUTSIDER_ID), now),
      by(asUser(EDITOR_ID), now),
      by(asUser(CREATOR_ID, 'admin'), now),
    ]) {
      spec
        .given([...staffedBrand(), invitationSent()])
        .when(accept(OTHER_HASH), context)
        .thenThrows('FORBIDDEN', 'NOT_INVITED');
    }
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(accept(null), by(asUser(OUTSIDER_ID), now))
      .thenThrows('FORBIDDEN', 'NOT_INVITED');
  });

  it('answers an unknown invitation, or brand, as it answers someone else’s invitation', () => {
    spec
      .given(staffedBrand())
      .when(accept(INVITEE_HASH, crypto.randomUUID()), invitee)
      .thenThrows('FORBIDDEN', 'NOT_INVITED');
    spec.given([]).when(accept(), invitee).thenThrows('FORBIDDEN', 'NOT_INVITED');
    // Someone else's answered or expired invitation reads the same: its state is the invitee's business.
    spec
      .given([...staffedBrand(), invitationSent(), invitationRevoked()])
      .when(accept(OTHER_HASH), by(asUser(OUTSIDER_ID), shift(atExpiry, DAY)))
      .thenThrows('FORBIDDEN', 'NOT_INVITED');
  });

  it("is the person's own decision: refused to API keys (even the invitee's) and the system", () => {
    for (const actor of [anIntegration(INVITEE_ID, ['graphql:write']), theSystem('publishing')]) {
      spec
        .given([...staffedBrand(), invitationSent()])
        .when(accept(), by(actor, now))
        .thenThrows('FORBIDDEN', 'SIGNED_IN_USER_ONLY');
    }
  });

  it('refuses an expired invitation, from the instant it expires', () => {
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(accept(), by(asUser(INVITEE_ID), atExpiry))
      .thenThrows('CONFLICT', 'INVITATION_EXPIRED');
  });

  it('refuses a revoked, declined or already accepted invitation', () => {
    spec
      .given([...staffedBrand(), invitationSent(), invitationRevoked()])
      .when(accept(), invitee)
      .thenThrows('CONFLICT', 'INVITATION_REVOKED');
    spec
      .given([...staffedBrand(), invitationSent(), invitationDeclined()])
      .when(accept(), invitee)
      .thenThrows('CONFLICT', 'INVITATION_DECLINED');
    spec
      .given([...staffedBrand(), invitationSent(), invitationAccepted(), memberAdded(INVITEE_ID, 'editor')])
      .when(accept(), invitee)
      .thenThrows('CONFLICT', 'INVITATION_ACCEPTED');
  });

  it('refuses on an archived brand', () => {
    spec
      .given([...staffedBrand(), invitationSent(), brandArchived()])
      .when(accept(), invitee)
      .thenThrows('CONFLICT', 'BRAND_ARCHIVED');
  });

  it('refuses an invitee who became a member meanwhile: the role is the admins’ to change', () => {
    spec
      .given([...staffedBrand(), invitationSent(), memberAdded(INVITEE_ID, 'viewer')])
      .when(accept(), invitee)
      .thenThrows('CONFLICT', 'MEMBER_EXISTS');
  });
});

describe('DeclineBrandInvitation', () => {
  it('records that the invitee turned it down', () => {
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(decline(), invitee)
      .then([invitationDeclined()]);
  });

  it('is refused to anyone else, to keys, and for answered or expired invitations', () => {
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(decline(OTHER_HASH), by(asUser(OUTSIDER_ID), now))
      .thenThrows('FORBIDDEN', 'NOT_INVITED');
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(decline(), by(anIntegration(INVITEE_ID, ['graphql:write']), now))
      .thenThrows('FORBIDDEN', 'SIGNED_IN_USER_ONLY');
    spec
      .given([...staffedBrand(), invitationSent(), invitationDeclined()])
      .when(decline(), invitee)
      .thenThrows('CONFLICT', 'INVITATION_DECLINED');
    spec
      .given([...staffedBrand(), invitationSent()])
      .when(decline(), by(asUser(INVITEE_ID), atExpiry))
      .thenThrows('CONFLICT', 'INVITATION_EXPIRED');
  });

  it('lets a member decline an invitation they no longer need', () => {
    spec
      .given([...staffedBrand(), invitationSent(), memberAdded(INVITEE_ID, 'viewer')])
      .when(decline(), invitee)
      .then([invitationDeclined()]);
  });
});

describe('invitation state and events', () => {
  it('folds invitations and their answers; the accepted invitee is a member', () => {
    const state = fold(brandDecider, [
      ...staffedBrand(),
      invitationSent(),
      invitationAccepted(),
      memberAdded(INVITEE_ID, 'editor', BRAND_ADMIN_ID),
      invitationSent({ invitationId: 'a1b2c3d4-0000-4000-8000-000000000002', emailHash: OTHER_HASH }),
      invitationRevoked('a1b2c3d4-0000-4000-8000-000000000002'),
    ]) as Brand;
    expect(state.members[INVITEE_ID]).toBe('editor');
    expect(state.invitations).toEqual({
      [INVITATION_ID]: {
        invitationId: INVITATION_ID,
        emailHash: INVITEE_HASH,
        role: 'editor',
        invitedBy: BRAND_ADMIN_ID,
        expiresAt: EXPIRES_AT,
        status: 'accepted',
      },
      'a1b2c3d4-0000-4000-8000-000000000002': expect.objectContaining({ status: 'revoked' }),
    });
  });

  it('are what the catalogue stores', () => {
    const cases: [BrandEvent[], BrandCommand, typeof brandAdmin][] = [
      [staffedBrand(), inviteCommand(), brandAdmin],
      [
        [...staffedBrand(), invitationSent()],
        { type: 'RevokeBrandInvitation', invitationId: INVITATION_ID },
        brandAdmin,
      ],
      [[...staffedBrand(), invitationSent()], accept(), invitee],
      [[...staffedBrand(), invitationSent()], decline(), invitee],
    ];
    for (const [history, command, context] of cases) {
      const events = brandDecider.decide(command, fold(brandDecider, history), context);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        expect(brandEventCatalogue[event.type].schema.parse(event.data)).toEqual(event.data);
      }
    }
  });

  it('keep the address hash and hint from integrators', () => {
    expect(brandEventCatalogue.BrandInvitationSent.publicFields).toEqual([
      'brandId',
      'invitationId',
      'role',
      'invitedBy',
      'expiresAt',
    ]);
    expect(brandEventCatalogue.BrandInvitationAccepted.publicFields).toEqual([
      'brandId',
      'invitationId',
      'userId',
    ]);
    expect(brandEventCatalogue.BrandInvitationRevoked.publicFields).toEqual([
      'brandId',
      'invitationId',
      'revokedBy',
    ]);
  });
});
