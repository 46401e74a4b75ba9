import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { notFound } from '../../domain/shared/domain-error.ts';
import {
  retryMentorReply,
  type SentMessage,
  sendMentorMessage,
  startConversation,
} from '../../services/mentorship/conversations.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import {
  type ConversationView,
  personaFromGraphQL,
  toConversation,
  toMessage,
} from './conversation-mappers.ts';
import {
  conversationCursor,
  conversationMessages,
  conversationViewerOf,
  findConversation,
  findMessage,
  listMyConversations,
} from './conversation-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

const idArgs = z.object({ id: z.uuid() });

/** The AI mentor's queries and mutations; `mentorReply` is in `conversation-subscription.ts`. */
export function conversationResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    conversation: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      return conversationView(scope, caller, idArgs.parse(args).id);
    },
    myConversations: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { rows, page, total } = await listMyConversations(
        scope.services.pool,
        conversationViewerOf(caller.actor),
        args,
      );
      return connection(rows, page, total, conversationCursor, toConversation);
    },
  };

  const mutation: Record<string, Resolver> = {
    startConversation: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await startConversation(scope.mentorship, caller, {
        ...args,
        persona: personaFromGraphQL(args.persona),
      });
      const conversation = await conversationView(scope, caller, id);
      if (!conversation) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
      return conversation;
    },
    sendMentorMessage: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return sentView(scope, await sendMentorMessage(scope.mentorship, caller, args));
    },
    retryMentorReply: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return sentView(scope, await retryMentorReply(scope.mentorship, caller, args));
    },
  };

  return {
    Query: query,
    Mutation: mutation,
    MentorConversation: {
      messages: async (conversation: ConversationView, args: Args, { scope }: GraphQLContext) => {
        const page = await conversationMessages(scope.services.pool, conversation.id, args);
        return {
          ...page,
          edges: page.edges.map((edge) => ({ ...edge, node: toMessage(edge.node) })),
          nodes: page.nodes.map(toMessage),
        };
      },
    },
  };
}

async function conversationView(scope: RequestScope, caller: RequestContext, id: string) {
  const row = await findConversation(scope.services.pool, conversationViewerOf(caller.actor), id);
  return row ? toConversation(row) : null;
}

/**
 * The message as the read model shows it; if the read models lag (the mutation's wait timed out),
 * as it was recorded, its reply pending.
 */
async function sentView(scope: RequestScope, sent: SentMessage) {
  const row = await findMessage(scope.services.pool, sent.conversationId, sent.messageId);
  const message = row
    ? toMessage(row)
    : {
        id: sent.messageId,
        role: 'learner',
        text: sent.message.text,
        createdAt: sent.message.at,
        replyId: sent.replyId,
        replyStatus: 'pending',
        failureCode: null,
        replyTo: null,
        provider: null,
        model: null,
        label: null,
        totalTokens: null,
      };
  return { conversationId: sent.conversationId, message, replyId: sent.replyId };
}
