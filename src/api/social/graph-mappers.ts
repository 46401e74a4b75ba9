import type { ProfileRow } from './graph-queries.ts';

/** A profile as GraphQL resolves it; counts, relations, lists and the avatar are nested resolvers. */
export function toSocialProfile(row: ProfileRow) {
  const forgotten = row.status === 'forgotten';
  return {
    id: row.user_id,
    // The read models already drop these on erasure; the status makes sure a late row cannot show them.
    username: forgotten ? null : row.username,
    displayName: forgotten ? null : row.display_name,
    bio: forgotten ? null : row.bio,
    avatarAssetId: forgotten ? null : row.avatar_asset_id,
    forgotten,
  };
}

export type SocialProfileView = ReturnType<typeof toSocialProfile>;
