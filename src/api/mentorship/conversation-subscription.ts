import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { forbidden, notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import { MENTORSHIP_CONVERSATIONS_PROJECTION } from '../../projections/read-models/mentorship-conversations.ts';
import type { ReplyNotice } from '../../services/mentorship/reply-channel.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { Channel } from '../subscriptions/channel.ts';
import { counted } from '../subscriptions/counted.ts';
import { asGraphQLError, guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import {
  conversationViewerOf,
  findConversation,
  type MessageRow,
  settledReplies,
} from './conversation-queries.ts';

export interface MentorReplyUpdate {
  conversationId: string;
  replyId: string;
  delta: string | null;
  text: string | null;
  done: boolean;
  failed: boolean;
  errorCode: string | null;
}

const args = z.object({ conversationId: z.uuid() });

/**
 * `mentorReply(conversationId)`: two sources, one stream. The pieces of a reply come from the
 * reply channel as the provider writes them (this process's or, with Redis, another API
 * process's); the end of a reply comes from the read model once the projector has applied it, so
 * the final `text` is exactly what `conversation(id)` shows. Replies pending at subscription time
 * and replies to messages sent later are watched; each ends once.
 */
export function conversationSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      mentorReply: {
        subscribe: guardedSubscribe(log, async (_root: unknown, raw: unknown, context: GraphQLContext) => {
          const { live, scope } = context;
          if (!live)
            throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
          const { conversationId } = args.parse(raw);
          const caller = await callerFor(scope, 'read');
          const { pool, bus } = scope.services;
          const { replies } = scope.services.mentorship;
          const conversation = await findConversation(
            pool,
            conversationViewerOf(caller.actor),
            conversationId,
          );
          if (!conversation) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation of yours');
          const channel = new Channel<MentorReplyUpdate>(live.signal);
          // Everything registered below is undone when the channel ends, however it ends: also when
          // subscribing fails half-way (the database or Redis away), so nothing outlives a refusal.
          const cleanups: (() => void)[] = [];
          channel.signal.addEventListener(
            'abort',
            () => {
              for (const cleanup of cleanups) cleanup();
            },
            { once: true },
          );
          try {
            // Who may watch depends only on the caller (the learner, or an admin), so it is decided
            // again, without I/O, before each piece and whenever the connection's caller changes.
            const mayWatch = () => {
              const viewer = conversationViewerOf(live.authenticated.actor);
              return viewer.admin || viewer.userId === conversation.learner_id;
            };
            cleanups.push(
              live.onUpdate(() => {
                if (mayWatch()) return;
                const revoked = forbidden('ACCESS_REVOKED', 'You no longer have access to this conversation');
                channel.fail(asGraphQLError(revoked, context.app.log));
              }),
            );
            const watch = new ReplyWatch(conversationId, conversation.message_count);
            // What has already ended (or is pending) before subscribing.
            watch.start(await settledReplies(pool, conversationId, conversation.message_count, []));

            cleanups.push(
              replies.subscribe(conversationId, (notice) => {
                const update = watch.piece(notice);
                if (update && mayWatch()) channel.push(update);
              }),
            );
            let reading = false;
            let dirty = false;
            const refresh = async (): Promise<void> => {
              dirty = true;
              if (reading) return;
              reading = true;
              try {
                while (dirty && !channel.signal.aborted) {
                  dirty = false;
                  const rows = await settledReplies(pool, conversationId, watch.afterSeq, watch.watched());
                  if (!mayWatch()) return;
                  for (const update of watch.settle(rows)) channel.push(update);
                }
              } catch (error) {
                context.app.log.error({ err: error }, 'mentorReply could not read the conversation');
                channel.fail(asGraphQLError(error, context.app.log));
              } finally {
                reading = false;
              }
            };
            cleanups.push(
              bus.subscribe((change) => {
                if (change.projection !== MENTORSHIP_CONVERSATIONS_PROJECTION) return;
                if (
                  change.truncated ||
                  change.keys.some(({ key }) => key.conversation_id === conversationId)
                ) {
                  void refresh();
                }
              }),
            );
            // Pieces published from now on reach this process before the client is told it may send.
            await replies.ready();
            // A reply pending at subscription time may have ended while we subscribed.
            void refresh();
          } catch (error) {
            channel.end();
            throw error;
          }
          return counted(channel);
        }),
        resolve: (update: MentorReplyUpdate) => update,
      },
    },
  };
}

/** Which replies one subscription follows, the text each has so far, and which have ended. */
class ReplyWatch {
  private readonly texts = new Map<string, string>();
  private readonly following = new Set<string>();
  private readonly ended = new Set<string>();

  constructor(
    private readonly conversationId: string,
    /** Messages up to this one were there before subscribing. */
    readonly afterSeq: number,
  ) {}

  /** Replies that failed before subscribing are old news; a pending one is followed. */
  start(rows: readonly MessageRow[]): void {
    for (const row of rows) {
      if (row.role !== 'learner' || !row.reply_id) continue;
      if (row.reply_status === 'failed') this.ended.add(row.reply_id);
      if (row.reply_status === 'pending') this.following.add(row.reply_id);
    }
  }

  watched(): string[] {
    return [...this.following];
  }

  piece(notice: ReplyNotice): MentorReplyUpdate | undefined {
    if (notice.kind !== 'delta' || this.ended.has(notice.replyId)) return undefined;
    this.following.add(notice.replyId);
    const text = (this.texts.get(notice.replyId) ?? '') + notice.delta;
    this.texts.set(notice.replyId, text);
    return { ...this.base(notice.replyId), delta: notice.delta, text };
  }

  /** The final update of every followed (or newer) reply the rows show as replied or failed. */
  settle(rows: readonly MessageRow[]): MentorReplyUpdate[] {
    const updates: MentorReplyUpdate[] = [];
    for (const row of rows) {
      const replyId = row.reply_id;
      if (!replyId || this.ended.has(replyId)) continue;
      if (row.role === 'mentor') {
        if (!this.following.has(replyId) && row.seq <= this.afterSeq) continue;
        this.end(replyId);
        updates.push({ ...this.base(replyId), text: row.text, done: true });
      } else if (row.reply_status === 'pending') {
        // A message sent (or a reply retried) since: its reply is followed from now on.
        this.following.add(replyId);
      } else if (row.reply_status === 'failed') {
        const soFar = this.texts.get(replyId) ?? null;
        this.end(replyId);
        updates.push({
          ...this.base(replyId),
          text: soFar,
          done: true,
          failed: true,
          errorCode: row.failure_code,
        });
      }
    }
    return updates;
  }

  private end(replyId: string): void {
    this.ended.add(replyId);
    this.following.delete(replyId);
    this.texts.delete(replyId);
  }

  private base(replyId: string): MentorReplyUpdate {
    return {
      conversationId: this.conversationId,
      replyId,
      delta: null,
      text: null,
      done: false,
      failed: false,
      errorCode: null,
    };
  }
}
