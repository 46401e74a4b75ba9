import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** Where a video is shared to; `copy_link` is the share sheet's "copy link". */
export const SHARE_PLATFORMS = [
  'copy_link',
  'whatsapp',
  'telegram',
  'messenger',
  'facebook',
  'x',
  'instagram',
  'tiktok',
  'email',
  'sms',
  'other',
] as const;
export type SharePlatform = (typeof SHARE_PLATFORMS)[number];

/** One stream per share: the share id is the attribution token its URL carries. */
export const shareStream = (shareId: string) => `share-${shareId}`;

export const shareEventSchemas = {
  VideoShared: z.object({
    shareId: z.uuid(),
    videoId: z.uuid(),
    sharerId: z.uuid(),
    platform: z.enum(SHARE_PLATFORMS),
  }),
};

export type ShareEvent = { type: 'VideoShared'; data: z.infer<typeof shareEventSchemas.VideoShared> };

export const shareEventCatalogue: EventCatalogue<ShareEvent> = {
  VideoShared: {
    type: 'VideoShared',
    schemaVersion: 1,
    schema: shareEventSchemas.VideoShared,
    publicFields: ['shareId', 'videoId', 'platform'],
  },
};
