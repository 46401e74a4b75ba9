import { z } from 'zod';

/**
 * The values a video post is made of (the video platform's `videos` table). The event schemas are
 * built from them and the decider validates commands with them, so what is accepted and what is
 * stored never drift apart.
 */

/** `unlisted`: anyone with the id may watch, but lists and search leave it out. */
export const VIDEO_VISIBILITIES = ['public', 'unlisted', 'private'] as const;
export type VideoVisibility = (typeof VIDEO_VISIBILITIES)[number];
export const videoVisibility = z.enum(VIDEO_VISIBILITIES);

export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5_000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;

export const videoTitle = z.string().trim().min(1).max(MAX_TITLE_LENGTH);
export const videoDescription = z.string().max(MAX_DESCRIPTION_LENGTH);

/** A tag as stored: already normalised (see `normaliseTag`). */
export const videoTag = z
  .string()
  .min(1)
  .max(MAX_TAG_LENGTH)
  .refine((tag) => tag === normaliseTag(tag), 'a tag is stored normalised');
export const videoTags = z
  .array(videoTag)
  .max(MAX_TAGS)
  .refine((tags) => new Set(tags).size === tags.length, 'tags are unique');

/**
 * One spelling per tag, so `#Cats`, ` cats ` and `CATS` find the same videos: no leading `#`,
 * lower case, inner whitespace collapsed to one space, Unicode NFC.
 */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFC').trim().replace(/^#+/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}
