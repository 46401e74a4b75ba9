import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** What can be liked. */
export const LIKED_KINDS = ['video', 'comment'] as const;
export type LikedKind = (typeof LIKED_KINDS)[number];

const like = {
  userId: z.uuid(),
  targetKind: z.enum(LIKED_KINDS),
  targetId: z.uuid(),
  /** The liked content's author: counts "likes received" without a second lookup. */
  authorId: z.uuid(),
};

export const likeEventSchemas = {
  ContentLiked: z.object(like),
  ContentUnliked: z.object(like),
};

type Schemas = typeof likeEventSchemas;
export type LikeEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const likeEventCatalogue: EventCatalogue<LikeEvent> = {
  ContentLiked: {
    type: 'ContentLiked',
    schemaVersion: 1,
    schema: likeEventSchemas.ContentLiked,
    publicFields: ['userId', 'targetKind', 'targetId'],
  },
  ContentUnliked: {
    type: 'ContentUnliked',
    schemaVersion: 1,
    schema: likeEventSchemas.ContentUnliked,
    publicFields: ['userId', 'targetKind', 'targetId'],
  },
};
