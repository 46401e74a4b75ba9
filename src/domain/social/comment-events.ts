import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { commentBody, MAX_MENTIONS } from './comment-values.ts';

/** One stream per comment: its edits and its deletion never wait on anyone else's comment. */
export const commentStream = (commentId: string) => `comment-${commentId}`;

/** The people a comment mentions: the usernames as typed and who they named when it was written. */
const mentions = z.array(z.object({ username: z.string(), userId: z.uuid() })).max(MAX_MENTIONS);

/**
 * True when the text check flagged the words and their hold was stored first (absent otherwise, and
 * on every event from before the field): the comment stays hidden from others until a moderator
 * restores it. Optional, so earlier events read as they are without an upcaster.
 */
const held = z.literal(true).optional();

export const commentEventSchemas = {
  CommentPosted: z.object({
    commentId: z.uuid(),
    videoId: z.uuid(),
    authorId: z.uuid(),
    /** Null for a top-level comment. */
    parentId: z.uuid().nullable(),
    /** The top-level comment of the thread (itself when top-level). */
    rootId: z.uuid(),
    /** 0 for a top-level comment, the parent's depth + 1 for a reply. */
    depth: z.number().int().min(0),
    body: commentBody,
    mentions,
    held,
  }),
  /** The earlier wording stays in the history (and the read model's revisions). */
  CommentEdited: z.object({ commentId: z.uuid(), videoId: z.uuid(), body: commentBody, mentions, held }),
  /** A tombstone: the words go from every list, the replies stay where they were. */
  CommentDeleted: z.object({ commentId: z.uuid(), videoId: z.uuid(), deletedBy: z.string().min(1) }),
};

type Schemas = typeof commentEventSchemas;
export type CommentEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

/** Integrators see that a comment exists and where, not its words (a hidden comment's too). */
export const commentEventCatalogue: EventCatalogue<CommentEvent> = {
  CommentPosted: {
    type: 'CommentPosted',
    schemaVersion: 1,
    schema: commentEventSchemas.CommentPosted,
    publicFields: ['commentId', 'videoId', 'authorId', 'parentId', 'rootId'],
  },
  CommentEdited: {
    type: 'CommentEdited',
    schemaVersion: 1,
    schema: commentEventSchemas.CommentEdited,
    publicFields: ['commentId', 'videoId'],
  },
  CommentDeleted: {
    type: 'CommentDeleted',
    schemaVersion: 1,
    schema: commentEventSchemas.CommentDeleted,
    publicFields: ['commentId', 'videoId', 'deletedBy'],
  },
};
