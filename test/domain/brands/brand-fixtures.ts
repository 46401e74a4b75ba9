import { createHash } from 'node:crypto';
import type { BrandEvent, BrandEventOf, BrandSettings } from '../../../src/domain/brands/brand-events.ts';
import type { BrandRole } from '../../../src/domain/brands/brand-values.ts';

/** Fixed ids: every spec's events are fully determined. */
export const BRAND_ID = '0b5e1c2a-7d4f-4a8e-9c31-2f6a8d0e4b71';
/** A platform admin who creates the brand and so becomes its first admin. */
export const CREATOR_ID = '6f1d2c3b-4a5e-4f60-8a71-b2c3d4e5f607';
export const BRAND_ADMIN_ID = '7a2e3d4c-5b6f-4071-9b82-c3d4e5f60718';
export const EDITOR_ID = '8b3f4e5d-6c70-4182-8c93-d4e5f6071829';
export const VIEWER_ID = '9c405f6e-7d81-4293-9da4-e5f60718293a';
export const OUTSIDER_ID = 'ad516070-8e92-43a4-8eb5-f60718293a4b';
export const CLAIM_ID = 'be627181-9fa3-44b5-9fc6-0718293a4b5c';
export const WEBHOOK_CHANNEL_ID = 'cf738292-a0b4-45c6-a0d7-18293a4b5c6d';
export const FEED_CHANNEL_ID = 'd08493a3-b1c5-46d7-b1e8-293a4b5c6d7e';

export const now = new Date('2025-06-02T09:30:00.000Z');

export const settings = (): BrandSettings => ({
  name: 'Crunchy Oats',
  description: 'Breakfast cereals for the UK market',
  identity: {
    toneOfVoice: 'Warm, playful, never preachy',
    guardrails: ['No health claims without approval', 'Never mention competitors'],
    colours: ['#f4a300', '#1d3557'],
    logoUrl: 'https://cdn.example.org/crunchy-oats/logo.svg',
  },
  country: 'GB',
  language: 'en-GB',
  allowedContentTypes: ['article', 'social-post'],
  workflow: {
    steps: [
      { name: 'Legal review', role: 'approver' },
      { name: 'Brand lead sign-off', role: 'admin' },
    ],
  },
  channels: [
    { channelId: WEBHOOK_CHANNEL_ID, kind: 'webhook', url: 'https://hooks.example.org/crunchy-oats' },
    { channelId: FEED_CHANNEL_ID, kind: 'feed' },
  ],
});

export const brandCreated = (): BrandEventOf<'BrandCreated'> => ({
  type: 'BrandCreated',
  data: { brandId: BRAND_ID, ...settings(), createdBy: CREATOR_ID },
});

export const memberAdded = (userId: string, role: BrandRole, addedBy = CREATOR_ID): BrandEvent => ({
  type: 'BrandMemberAdded',
  data: { brandId: BRAND_ID, userId, role, addedBy },
});

/** A brand run by its creator and one more admin, with an editor and a viewer. */
export const staffedBrand = (): BrandEvent[] => [
  brandCreated(),
  memberAdded(CREATOR_ID, 'admin'),
  memberAdded(BRAND_ADMIN_ID, 'admin'),
  memberAdded(EDITOR_ID, 'editor'),
  memberAdded(VIEWER_ID, 'viewer'),
];

/** A brand whose creator is its only admin. */
export const newBrand = (): BrandEvent[] => [brandCreated(), memberAdded(CREATOR_ID, 'admin')];

export const brandArchived = (): BrandEvent => ({
  type: 'BrandArchived',
  data: { brandId: BRAND_ID, archivedBy: CREATOR_ID, reason: null },
});

export const claimAdded = (): BrandEvent => ({
  type: 'MasterClaimAdded',
  data: { brandId: BRAND_ID, claimId: CLAIM_ID, country: 'GB', text: 'High in fibre', addedBy: CREATOR_ID },
});

export const claimRemoved = (): BrandEvent => ({
  type: 'MasterClaimRemoved',
  data: { brandId: BRAND_ID, claimId: CLAIM_ID, removedBy: CREATOR_ID },
});

export const INVITATION_ID = 'e195a4b4-c2d6-47e8-82f9-3a4b5c6d7e8f';
/** Someone invited by address, who is not a member. */
export const INVITEE_ID = 'f2a6b5c5-d3e7-48f9-930a-4b5c6d7e8f90';
/** What the service makes of the invitee's address (a keyed hash) and of someone else's. */
export const INVITEE_HASH = createHash('sha256').update('invitee@example.org').digest('hex');
export const OTHER_HASH = createHash('sha256').update('someone-else@example.org').digest('hex');
/** Fourteen days after `now`. */
export const EXPIRES_AT = '2025-06-16T09:30:00.000Z';

export const invitationSent = (
  overrides: Partial<BrandEventOf<'BrandInvitationSent'>['data']> = {},
): BrandEventOf<'BrandInvitationSent'> => ({
  type: 'BrandInvitationSent',
  data: {
    brandId: BRAND_ID,
    invitationId: INVITATION_ID,
    emailHash: INVITEE_HASH,
    emailHint: 'i•••@example.org',
    role: 'editor',
    invitedBy: BRAND_ADMIN_ID,
    expiresAt: EXPIRES_AT,
    ...overrides,
  },
});

export const invitationRevoked = (invitationId = INVITATION_ID): BrandEvent => ({
  type: 'BrandInvitationRevoked',
  data: { brandId: BRAND_ID, invitationId, revokedBy: BRAND_ADMIN_ID },
});

export const invitationAccepted = (userId = INVITEE_ID): BrandEvent => ({
  type: 'BrandInvitationAccepted',
  data: { brandId: BRAND_ID, invitationId: INVITATION_ID, userId },
});

export const invitationDeclined = (userId = INVITEE_ID): BrandEvent => ({
  type: 'BrandInvitationDeclined',
  data: { brandId: BRAND_ID, invitationId: INVITATION_ID, userId },
});
