import { z } from 'zod';
import { actorRef } from '../brands/brand-values.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { videoDescription, videoTags, videoTitle, videoVisibility } from './video-values.ts';

const postId = z.uuid();

/** The parts an edit changed, and only those: at least one. */
export const videoPostChanges = z
  .object({
    title: videoTitle.optional(),
    description: videoDescription.optional(),
    tags: videoTags.optional(),
    visibility: videoVisibility.optional(),
  })
  .refine(
    (changes) => Object.values(changes).some((value) => value !== undefined),
    'an edit changes something',
  );
export type VideoPostChanges = z.infer<typeof videoPostChanges>;

/** A post of a ready video asset on the video platform (Breiq's `videos` table, event-sourced). */
export const videoPostEventSchemas = {
  VideoPostCreated: z.object({
    postId,
    ownerId: z.uuid(),
    assetId: z.uuid(),
    title: videoTitle,
    description: videoDescription,
    tags: videoTags,
    visibility: videoVisibility,
  }),
  VideoPostUpdated: z.object({ postId, changes: videoPostChanges }),
  /** Terminal: a deleted post accepts nothing more. */
  VideoPostDeleted: z.object({ postId, deletedBy: actorRef }),
};

type Schemas = typeof videoPostEventSchemas;
export type VideoPostEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type VideoPostEventOf<Type extends VideoPostEvent['type']> = Extract<VideoPostEvent, { type: Type }>;

/**
 * Integrators see who posted which asset and its visibility, not the words: the integrator stream
 * is not filtered by visibility, so a private post's title must not travel on it.
 */
export const videoPostEventCatalogue: EventCatalogue<VideoPostEvent> = {
  VideoPostCreated: {
    type: 'VideoPostCreated',
    schemaVersion: 1,
    schema: videoPostEventSchemas.VideoPostCreated,
    publicFields: ['postId', 'ownerId', 'assetId', 'visibility'],
  },
  VideoPostUpdated: {
    type: 'VideoPostUpdated',
    schemaVersion: 1,
    schema: videoPostEventSchemas.VideoPostUpdated,
    publicFields: ['postId'],
  },
  VideoPostDeleted: {
    type: 'VideoPostDeleted',
    schemaVersion: 1,
    schema: videoPostEventSchemas.VideoPostDeleted,
    publicFields: ['postId', 'deletedBy'],
  },
};
