import type { MediaKind, MediaStatus } from '../media/media-values.ts';
import type { VideoVisibility } from './video-values.ts';

/**
 * What the service read from the asset's own stream before deciding: a decider sees only its own
 * stream. Null when there is no such asset.
 */
export interface VideoAssetFacts {
  assetId: string;
  ownerId: string;
  kind: MediaKind;
  status: MediaStatus;
}

/**
 * Commands on a video post. Values arrive as the person typed them (`tags` not yet normalised);
 * the decider validates and normalises them.
 */
export type VideoPostCommand =
  | {
      type: 'CreateVideoPost';
      postId: string;
      assetId: string;
      asset: VideoAssetFacts | null;
      title: string;
      description?: string;
      tags?: readonly string[];
      /** Public when left out, as on the platform. */
      visibility?: VideoVisibility;
    }
  /** A part left out stays as it is. */
  | {
      type: 'UpdateVideoPost';
      title?: string;
      description?: string;
      tags?: readonly string[];
      visibility?: VideoVisibility;
    }
  | { type: 'DeleteVideoPost' };
