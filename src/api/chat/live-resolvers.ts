import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import type { GraphQLContext } from '../request-scope.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { type ChatUpdateView, conversationUpdates, myConversationUpdates } from './conversation-updates.ts';
import type { EphemeralBus } from './ephemeral-bus.ts';
import { heartbeat, presence, presenceChanged, presenceUserIds } from './presence.ts';
import { conversationTyping, setTyping } from './typing.ts';

/** A resume token: a global store position, as every position in the API is spelled. */
const position = z.string().regex(/^\d{1,19}$/u, 'a position from an earlier update');
const conversationArgs = z.object({ conversationId: z.uuid() });
const updatesArgs = z.object({ conversationId: z.uuid(), after: position.nullish() });
const myUpdatesArgs = z.object({ after: position.nullish() });
const presenceArgs = z.object({ userIds: presenceUserIds });

/**
 * Chat live: the timeline subscriptions (gap-free, resumable, from the `chat` read model) and the
 * ephemeral typing and presence (through `bus`, never the event store). Every subscription goes
 * through `guardedSubscribe`, so the socket's admission (cost, slots, rate) covers them as it
 * covers social's.
 */
export function liveChatResolvers(bus: EphemeralBus, log: FastifyBaseLogger): IResolvers {
  return {
    Query: {
      presence: (_root: unknown, args: unknown, { scope }: GraphQLContext) =>
        presence(scope, bus, presenceArgs.parse(args).userIds),
    },
    Mutation: {
      setTyping: (_root: unknown, args: unknown, { scope }: GraphQLContext) =>
        setTyping(scope, bus, conversationArgs.parse(args).conversationId),
      heartbeat: (_root: unknown, _args: unknown, { scope }: GraphQLContext) => heartbeat(scope, bus),
    },
    Subscription: {
      conversationUpdates: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) => {
          const { conversationId, after } = updatesArgs.parse(args);
          return conversationUpdates(context, conversationId, after ?? undefined);
        }),
        resolve: (update: unknown) => update,
      },
      myConversationUpdates: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          myConversationUpdates(context, myUpdatesArgs.parse(args).after ?? undefined),
        ),
        resolve: (update: unknown) => update,
      },
      conversationTyping: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          conversationTyping(context, bus, conversationArgs.parse(args).conversationId),
        ),
        resolve: (typing: unknown) => typing,
      },
      presenceChanged: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          presenceChanged(context, bus, presenceArgs.parse(args).userIds),
        ),
        resolve: (presence: unknown) => presence,
      },
    },
    ChatUpdate: {
      // Read when asked for, with the rest of its batch, as the subscriber may see it now (hidden
      // for them or by moderators since: null).
      message: (update: ChatUpdateView) => update.loadMessage?.() ?? null,
    },
  };
}
