import { describe, expect, it } from 'vitest';
import type { AvatarAssetFacts, ProfileCommand } from '../../../src/domain/social/profile-commands.ts';
import { profileDecider } from '../../../src/domain/social/profile-decider.ts';
import { type ProfileEvent, profileEventCatalogue } from '../../../src/domain/social/profile-events.ts';
import { isReservedUsername, normaliseUsername } from '../../../src/domain/social/profile-values.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ADA = '8c3b2e4f-5d6e-4071-8c1d-2e3f4a5b6c7d';
const BOB = '9d4c3f50-6e7f-4182-9d2e-3f4a5b6c7d8e';
const ASSET = 'ae5d4061-7f80-4293-ae3f-4a5b6c7d8e9f';
const now = new Date('2025-06-02T09:30:00.000Z');

const ada = by(asUser(ADA), now);
const image = (overrides: Partial<AvatarAssetFacts> = {}): AvatarAssetFacts => ({
  assetId: ASSET,
  ownerId: ADA,
  kind: 'image',
  status: 'ready',
  ...overrides,
});
const rename = (username: string, userId = ADA): ProfileCommand => ({
  type: 'ChangeUsername',
  userId,
  username,
});
const setAvatar = (asset: AvatarAssetFacts | null = image()): ProfileCommand => ({
  type: 'SetAvatar',
  userId: ADA,
  assetId: ASSET,
  asset,
});
const renamed = (username: string, previous: string | null = null): ProfileEvent => ({
  type: 'UsernameChanged',
  data: { userId: ADA, username, previous },
});
const avatarSet: ProfileEvent = { type: 'ProfileAvatarSet', data: { userId: ADA, assetId: ASSET } };

const spec = deciderSpec(profileDecider);

describe('usernames', () => {
  it('records the first name, normalised, and the previous one on a change', () => {
    spec
      .given([])
      .when(rename(' @Ada.L '), ada)
      .then([renamed('ada.l')]);
    spec
      .given([renamed('ada.l')])
      .when(rename('ada_l'), ada)
      .then([renamed('ada_l', 'ada.l')]);
  });

  it('decides nothing for the name one already has, in any case', () => {
    spec
      .given([renamed('ada.l')])
      .when(rename('ADA.L'), ada)
      .thenNothing();
  });

  it('refuses reserved words, also dressed up with dots and underscores', () => {
    for (const name of ['admin', 'Support', 'ad.min', '_root_', 'moder_ator']) {
      spec.given([]).when(rename(name), ada).thenThrows('VALIDATION', 'USERNAME_RESERVED');
    }
  });

  it('refuses bad lengths and shapes', () => {
    spec.given([]).when(rename('ab'), ada).thenThrows('VALIDATION', 'INVALID_USERNAME_LENGTH');
    spec
      .given([])
      .when(rename('x'.repeat(31)), ada)
      .thenThrows('VALIDATION', 'INVALID_USERNAME_LENGTH');
    for (const name of ['a b c', '.ada', 'ada.', 'a..da', 'ada!', 'zoë', 'ada-l']) {
      spec.given([]).when(rename(name), ada).thenThrows('VALIDATION', 'INVALID_USERNAME');
    }
  });

  it('is changed by its person, their API key, admins and the system, by nobody else', () => {
    spec
      .given([])
      .when(rename('ada_l'), by(anIntegration(ADA, ['graphql:write']), now))
      .then([renamed('ada_l')]);
    spec
      .given([])
      .when(rename('ada_l'), by(asUser(BOB, 'admin'), now))
      .then([renamed('ada_l')]);
    spec
      .given([])
      .when(rename('ada_l'), by(theSystem('moderation'), now))
      .then([renamed('ada_l')]);
    spec
      .given([])
      .when(rename('ada_l'), by(asUser(BOB), now))
      .thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec
      .given([])
      .when(rename('ada_l'), by(asUser(BOB, 'moderator'), now))
      .thenThrows('FORBIDDEN', 'NOT_PROFILE_OWNER');
    spec.given([]).when(rename('ada_l'), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });

  it('normalises to one spelling and spots reserved names', () => {
    expect(normaliseUsername('  @Ada.Lovelace ')).toBe('ada.lovelace');
    expect(isReservedUsername('s.u.p.p.o.r.t')).toBe(true);
    expect(isReservedUsername('supporter')).toBe(false);
  });
});

describe('avatars', () => {
  it('sets a ready image the person owns; setting it again decides nothing', () => {
    spec.given([]).when(setAvatar(), ada).then([avatarSet]);
    spec.given([avatarSet]).when(setAvatar(), ada).thenNothing();
  });

  it('refuses what is not the person’s ready image', () => {
    spec.given([]).when(setAvatar(null), ada).thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
    spec
      .given([])
      .when(setAvatar(image({ assetId: BOB })), ada)
      .thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
    spec
      .given([])
      .when(setAvatar(image({ ownerId: BOB })), ada)
      .thenThrows('FORBIDDEN', 'NOT_ASSET_OWNER');
    spec
      .given([])
      .when(setAvatar(image({ status: 'deleted' })), ada)
      .thenThrows('NOT_FOUND', 'MEDIA_DELETED');
    spec
      .given([])
      .when(setAvatar(image({ kind: 'video' })), ada)
      .thenThrows('VALIDATION', 'NOT_AN_IMAGE');
    spec
      .given([])
      .when(setAvatar(image({ status: 'processing' })), ada)
      .thenThrows('CONFLICT', 'MEDIA_NOT_READY');
  });

  it('removes the avatar once; removing none decides nothing', () => {
    const remove: ProfileCommand = { type: 'RemoveAvatar', userId: ADA };
    spec
      .given([avatarSet])
      .when(remove, ada)
      .then([{ type: 'ProfileAvatarRemoved', data: { userId: ADA } }]);
    spec.given([]).when(remove, ada).thenNothing();
  });
});

describe('the profile event catalogue', () => {
  it('encrypts usernames with their person’s key, so erasure reads them as null', () => {
    expect(profileEventCatalogue.UsernameChanged.personalFields).toEqual(['username', 'previous']);
    expect(
      profileEventCatalogue.UsernameChanged.subject?.({ userId: ADA, username: null, previous: null }),
    ).toBe(ADA);
    expect(
      profileEventCatalogue.UsernameChanged.schema.safeParse({ userId: ADA, username: null, previous: null })
        .success,
    ).toBe(true);
    expect(
      profileEventCatalogue.UsernameChanged.schema.safeParse({ userId: ADA, username: 'Ada', previous: null })
        .success,
    ).toBe(false);
  });
});
