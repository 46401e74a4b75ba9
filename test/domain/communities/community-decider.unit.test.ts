import { describe, expect, it } from 'vitest';
import type { CommunityCommand } from '../../../src/domain/communities/community-commands.ts';
import { communityDecider } from '../../../src/domain/communities/community-decider.ts';
import type { CommunityEvent } from '../../../src/domain/communities/community-events.ts';
import type { CommunitySettings } from '../../../src/domain/communities/community-values.ts';
import { anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const OWNER = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const MODERATOR = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const COMMUNITY = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const now = new Date('2026-12-07T08:00:00.000Z');

const owner = by(asUser(OWNER), now);
const moderator = by(asUser(MODERATOR), now);
const spec = deciderSpec(communityDecider);

const settings: CommunitySettings = {
  name: 'Kiswahili Readers',
  description: 'Reading circles',
  language: 'sw',
  region: 'Mombasa',
  visibility: 'public',
  rules: 'Be kind.',
  minTrustToStartThreads: 0,
  minTrustToPostLinks: 20,
};
const created: CommunityEvent = {
  type: 'CommunityCreated',
  data: { communityId: COMMUNITY, ...settings, createdBy: OWNER },
};
const erased: CommunityEvent = {
  type: 'CommunityErased',
  data: { communityId: COMMUNITY, erasedBy: OWNER, reason: 'Closing down' },
};
const create = (overrides: Partial<CommunitySettings> = {}): CommunityCommand => ({
  type: 'CreateCommunity',
  communityId: COMMUNITY,
  settings: { ...settings, ...overrides },
});
const change = (
  overrides: Partial<CommunitySettings>,
  actorRole: 'owner' | 'moderator' | null = 'owner',
): CommunityCommand => ({
  type: 'ChangeCommunitySettings',
  settings: { ...settings, ...overrides },
  actorRole,
});
const erase = (
  actorRole: 'owner' | 'moderator' | null = 'owner',
  reason = 'Closing down',
): CommunityCommand => ({
  type: 'EraseCommunity',
  reason,
  actorRole,
});

describe('creating a community', () => {
  it('records the settings, trimmed, with its creator', () => {
    spec
      .given([])
      .when(create({ name: '  Kiswahili Readers  ', rules: ' Be kind. ' }), owner)
      .then([created]);
  });

  it('stores blank description and rules as none', () => {
    spec
      .given([])
      .when(create({ description: '  ', rules: '' }), owner)
      .then([{ ...created, data: { ...created.data, description: null, rules: null } } as CommunityEvent]);
  });

  it('refuses bad settings with a reason naming the field', () => {
    const refused = (overrides: Partial<CommunitySettings>, reason: string) =>
      spec.given([]).when(create(overrides), owner).thenThrows('VALIDATION', reason);
    refused({ name: ' ' }, 'INVALID_NAME');
    refused({ name: 'x'.repeat(101) }, 'INVALID_NAME');
    refused({ description: 'x'.repeat(2_001) }, 'INVALID_DESCRIPTION');
    refused({ language: 'english' }, 'INVALID_LANGUAGE');
    refused({ region: '' }, 'INVALID_REGION');
    refused({ rules: 'x'.repeat(10_001) }, 'INVALID_RULES');
    refused({ minTrustToStartThreads: -1 }, 'INVALID_TRUST_MINIMUM');
    refused({ minTrustToPostLinks: 101 }, 'INVALID_TRUST_MINIMUM');
    refused({ minTrustToPostLinks: 2.5 }, 'INVALID_TRUST_MINIMUM');
  });

  it('is refused twice, and to anyone but a person', () => {
    spec.given([created]).when(create(), owner).thenThrows('CONFLICT', 'COMMUNITY_EXISTS');
    spec.given([]).when(create(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(create(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });
});

describe('settings', () => {
  it('records the whole settings as they now are, by the owner', () => {
    spec
      .given([created])
      .when(change({ visibility: 'invite_only', minTrustToStartThreads: 10 }), owner)
      .then([
        {
          type: 'CommunitySettingsChanged',
          data: {
            communityId: COMMUNITY,
            ...settings,
            visibility: 'invite_only',
            minTrustToStartThreads: 10,
            changedBy: OWNER,
          },
        },
      ]);
  });

  it('decides nothing when nothing changes', () => {
    spec.given([created]).when(change({}), owner).thenNothing();
  });

  it('are the owner’s alone', () => {
    spec
      .given([created])
      .when(change({ name: 'Mine' }, 'moderator'), moderator)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec
      .given([created])
      .when(change({ name: 'Mine' }, null), moderator)
      .thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it('are refused for a community that does not exist or was erased', () => {
    spec.given([]).when(change({}), owner).thenThrows('NOT_FOUND', 'COMMUNITY_NOT_FOUND');
    spec.given([created, erased]).when(change({}), owner).thenThrows('NOT_FOUND', 'COMMUNITY_NOT_FOUND');
  });
});

describe('erasing a community', () => {
  it('is the owner’s, with a reason', () => {
    spec.given([created]).when(erase(), owner).then([erased]);
    spec.given([created]).when(erase('owner', ' '), owner).thenThrows('VALIDATION', 'INVALID_REASON');
    spec.given([created]).when(erase('moderator'), moderator).thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec.given([created]).when(erase(null), moderator).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it('is refused twice, and for a community that never was', () => {
    spec.given([created, erased]).when(erase(), owner).thenThrows('CONFLICT', 'COMMUNITY_ERASED');
    spec.given([]).when(erase(), owner).thenThrows('NOT_FOUND', 'COMMUNITY_NOT_FOUND');
  });

  it('leaves a state without the community’s texts', () => {
    const state = [created, erased].reduce(communityDecider.evolve, communityDecider.initialState);
    expect(state).toMatchObject({ status: 'erased', description: null, rules: null, name: settings.name });
  });
});
