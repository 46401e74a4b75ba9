import type { ProfileEvent } from './profile-events.ts';

export interface Profile {
  /** Null before the first one is chosen, and once the person is forgotten (decoded as null). */
  username: string | null;
  avatarAssetId: string | null;
}

export const initialProfile: Profile = { username: null, avatarAssetId: null };

export function evolveProfile(state: Profile, event: ProfileEvent): Profile {
  switch (event.type) {
    case 'UsernameChanged':
      return { ...state, username: event.data.username };
    case 'ProfileAvatarSet':
      return { ...state, avatarAssetId: event.data.assetId };
    case 'ProfileAvatarRemoved':
      return { ...state, avatarAssetId: null };
    default:
      return state;
  }
}
