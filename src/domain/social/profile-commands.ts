import type { MediaKind, MediaStatus } from '../media/media-values.ts';

/** What the service read from the image asset's own stream; null when there is no such asset. */
export interface AvatarAssetFacts {
  assetId: string;
  ownerId: string;
  kind: MediaKind;
  status: MediaStatus;
}

/**
 * Commands on a person's profile (stream `socialprofile-<userId>`). `username` arrives as typed;
 * the decider normalises and validates it. The service holds the name's reservation around it.
 */
export type ProfileCommand =
  | { type: 'ChangeUsername'; userId: string; username: string }
  | { type: 'SetAvatar'; userId: string; assetId: string; asset: AvatarAssetFacts | null }
  | { type: 'RemoveAvatar'; userId: string };
