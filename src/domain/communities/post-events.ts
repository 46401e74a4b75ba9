import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { MAX_REMOVAL_REASON_LENGTH, MAX_REPLY_DEPTH, storedBody, storedTitle } from './discussion-values.ts';
import { communityMemberSubject } from './streams.ts';

const communityId = z.uuid();
const postId = z.uuid();
const threadId = z.uuid();
const authorId = z.uuid();

/**
 * One post (`communitypost-<id>`): a thread's opener or a reply. `threadId` is the opener's id on
 * every event (its own id for the opener), so a read model files any event under its thread
 * without looking anything up.
 */
export const communityPostEventSchemas = {
  /** `title` and `body` are personal: encrypted with the author's key for this community. */
  CommunityThreadStarted: z.object({ communityId, postId, authorId, title: storedTitle, body: storedBody }),
  /** `depth` 1 answers the opener; at most MAX_REPLY_DEPTH. */
  CommunityReplyPosted: z.object({
    communityId,
    postId,
    threadId,
    parentId: z.uuid(),
    authorId,
    body: storedBody,
    depth: z.number().int().min(1).max(MAX_REPLY_DEPTH),
  }),
  /** The author's new words; `title` is null for a reply. Earlier wordings stay in the history. */
  CommunityPostEdited: z.object({
    communityId,
    postId,
    threadId,
    authorId,
    title: storedTitle,
    body: storedBody,
  }),
  /** By its author: readers see that a post was there, not its words. */
  CommunityPostDeleted: z.object({ communityId, postId, threadId, authorId }),
  /**
   * By a moderator, with a reason moderators read; counts as a report upheld against the author.
   * `reason` is the moderator's words: personal, under the remover's key for this community (gone
   * with the community's erasure or the moderator's forgetting; null once decoded after that).
   */
  CommunityPostRemoved: z.object({
    communityId,
    postId,
    threadId,
    authorId,
    removedBy: z.uuid(),
    reason: z.string().min(1).max(MAX_REMOVAL_REASON_LENGTH).nullable(),
  }),
  CommunityThreadPinned: z.object({ communityId, postId, threadId, pinnedBy: z.uuid() }),
  CommunityThreadUnpinned: z.object({ communityId, postId, threadId, unpinnedBy: z.uuid() }),
  /** Once per post, never by its author: counts for the author's trust. */
  CommunityPostMarkedHelpful: z.object({ communityId, postId, threadId, authorId, markedBy: z.uuid() }),
};

type Schemas = typeof communityPostEventSchemas;
export type CommunityPostEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type CommunityPostEventOf<Type extends CommunityPostEvent['type']> = Extract<
  CommunityPostEvent,
  { type: Type }
>;

const byAuthor = (data: { communityId: string; authorId: string }) =>
  communityMemberSubject(data.communityId, data.authorId);

/** Ids are public; the words are the author's, encrypted with their key for the community. */
export const communityPostEventCatalogue: EventCatalogue<CommunityPostEvent> = {
  CommunityThreadStarted: {
    type: 'CommunityThreadStarted',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityThreadStarted,
    personalFields: ['title', 'body'],
    subject: byAuthor,
    publicFields: ['communityId', 'postId', 'authorId', 'title', 'body'],
  },
  CommunityReplyPosted: {
    type: 'CommunityReplyPosted',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityReplyPosted,
    personalFields: ['body'],
    subject: byAuthor,
    publicFields: ['communityId', 'postId', 'threadId', 'parentId', 'authorId', 'body', 'depth'],
  },
  CommunityPostEdited: {
    type: 'CommunityPostEdited',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityPostEdited,
    personalFields: ['title', 'body'],
    subject: byAuthor,
    publicFields: ['communityId', 'postId', 'threadId', 'authorId', 'title', 'body'],
  },
  CommunityPostDeleted: {
    type: 'CommunityPostDeleted',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityPostDeleted,
    publicFields: ['communityId', 'postId', 'threadId', 'authorId'],
  },
  CommunityPostRemoved: {
    type: 'CommunityPostRemoved',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityPostRemoved,
    personalFields: ['reason'],
    subject: (data) => communityMemberSubject(data.communityId, data.removedBy),
    // The reason stays inside: it is moderators' words about a member.
    publicFields: ['communityId', 'postId', 'threadId', 'authorId', 'removedBy'],
  },
  CommunityThreadPinned: {
    type: 'CommunityThreadPinned',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityThreadPinned,
    publicFields: ['communityId', 'postId', 'threadId', 'pinnedBy'],
  },
  CommunityThreadUnpinned: {
    type: 'CommunityThreadUnpinned',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityThreadUnpinned,
    publicFields: ['communityId', 'postId', 'threadId', 'unpinnedBy'],
  },
  CommunityPostMarkedHelpful: {
    type: 'CommunityPostMarkedHelpful',
    schemaVersion: 1,
    schema: communityPostEventSchemas.CommunityPostMarkedHelpful,
    publicFields: ['communityId', 'postId', 'threadId', 'authorId', 'markedBy'],
  },
};
