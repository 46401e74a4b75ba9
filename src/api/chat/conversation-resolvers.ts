import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import type { ChatDeps } from '../../services/chat/chat-deps.ts';
import {
  addConversationMembers,
  changeConversationRole,
  createGroupConversation,
  leaveConversation,
  removeConversationMember,
  startDirectConversation,
  updateConversationDetails,
} from '../../services/chat/conversations.ts';
import {
  markConversationDelivered,
  markConversationRead,
  setConversationSettings,
} from '../../services/chat/members.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { playbackOf } from '../videos/playback.ts';
import {
  type ChatConversationView,
  type ChatMemberView,
  toChatConversation,
} from './conversation-mappers.ts';
import { conversationCursor, conversationOf, listMyConversations } from './conversation-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type ChatUseCase = (deps: ChatDeps, context: RequestContext, raw: unknown) => Promise<string>;

const pageArgs = z.object({
  first: z.number().int().nullish(),
  after: z.string().nullish(),
});
const listArgs = pageArgs.extend({ archived: z.boolean().nullish() });
const idArgs = z.object({ id: z.uuid() });

/** The image renditions an avatar is shown from, best first: the square crop, then any image. */
const AVATAR_RENDITIONS = ['square-256-webp', 'square-64-webp'];

/**
 * Conversations, membership, receipts and settings. Every read goes through the caller's own
 * active membership, so a conversation they are not (or no longer) in reads as one that does not
 * exist; every change answers with the conversation as the caller now sees it.
 */
export function chatConversationResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    myChatConversations: async (_root, args, { scope }) => {
      const readerId = await readerOf(scope);
      const { archived, ...page } = listArgs.parse(args);
      const { rows, page: parsed } = await listMyConversations(
        scope.services.pool,
        readerId,
        archived ?? false,
        page,
      );
      return connection(rows, parsed, undefined, conversationCursor, toChatConversation);
    },
    chatConversation: async (_root, args, { scope }) =>
      conversationView(scope, await readerOf(scope), idArgs.parse(args).id),
  };

  /** Each change answers with the conversation as the caller sees it once the read model shows it. */
  const mutate =
    (useCase: ChatUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const conversationId = await useCase(scope.chat, caller, args);
      return conversationView(scope, chatterOf(caller.actor), conversationId);
    };

  return {
    Query: query,
    Mutation: {
      startDirectConversation: mutate(startDirectConversation),
      createGroupConversation: mutate(createGroupConversation),
      addConversationMembers: mutate(addConversationMembers),
      removeConversationMember: mutate(removeConversationMember),
      changeConversationRole: mutate(changeConversationRole),
      updateConversationDetails: mutate(updateConversationDetails),
      markConversationDelivered: mutate(markConversationDelivered),
      markConversationRead: mutate(markConversationRead),
      setConversationSettings: mutate(setConversationSettings),
      // The caller is no longer a member, so there is no conversation left to show them.
      leaveConversation: async (_root: unknown, args: Args, { scope }: GraphQLContext) =>
        leaveConversation(scope.chat, await callerFor(scope, 'write'), args),
    },
    ChatConversation: {
      avatarUrl: async (conversation: ChatConversationView, _args: Args, { scope }: GraphQLContext) => {
        if (!conversation.avatarAssetId) return null;
        const { renditions } = await playbackOf(scope, conversation.avatarAssetId);
        const image =
          AVATAR_RENDITIONS.map((name) => renditions.find((r) => r.name === name)).find(Boolean) ??
          renditions.find((r) => r.kind === 'image');
        return image ? image.url() : null;
      },
    },
    // Receipts are each member's own: others learn only what each message says (read by n).
    ChatMember: {
      deliveredUpTo: (member: MemberWithViewer) => ownReceipt(member, member.deliveredUpTo),
      readUpTo: (member: MemberWithViewer) => ownReceipt(member, member.readUpTo),
    },
  };
}

/** The person reading: a signed-in user, or an API key's owner. */
async function readerOf(scope: RequestScope): Promise<string> {
  return chatterOf((await callerFor(scope, 'read')).actor);
}

async function conversationView(scope: RequestScope, readerId: string, conversationId: string) {
  const row = await conversationOf(scope.services.pool, readerId, conversationId);
  if (!row) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  return toChatConversation(row);
}

type MemberWithViewer = ChatMemberView & { viewerId: string };

function ownReceipt(member: MemberWithViewer, position: string | null): string | null {
  if (member.userId.toLowerCase() !== member.viewerId.toLowerCase()) {
    throw forbidden(
      'RECEIPTS_PRIVATE',
      "Another member's receipts are theirs; each message says who read it",
    );
  }
  return position;
}
