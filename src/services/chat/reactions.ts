import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { chatMessageAggregate } from '../../domain/chat/message-decider.ts';
import { chatMessageStream } from '../../domain/chat/streams.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { ChatDeps } from './chat-deps.ts';
import { chatId, idempotencyKey } from './chat-input.ts';
import { blockedInDirect, memberSeeing } from './messages.ts';

/** Loose: the decider's INVALID_EMOJI says what a reaction may be. */
export const reactionInput = z.object({ id: chatId, emoji: z.string().max(64), idempotencyKey });

/**
 * A member reacts to a message they can see, once per emoji (asking again changes nothing). In a
 * direct conversation a block stops reactions as it stops messages: both are something said.
 */
export async function reactToChatMessage(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = reactionInput.parse(raw);
  const { id, emoji } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `reactToChatMessage:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  const { conversation, membership } = await memberSeeing(deps, loaded.state, userId);
  if (membership && conversation?.kind === 'direct' && (await blockedInDirect(deps, conversation, userId))) {
    throw forbidden('BLOCKED', 'You cannot react to this person’s messages');
  }
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), { type: 'ReactToChatMessage', emoji, membership }),
  );
  return id;
}

/** Takes a reaction back; one that is not there changes nothing. */
export async function removeChatReaction(deps: ChatDeps, context: RequestContext, raw: unknown) {
  const parsed = reactionInput.parse(raw);
  const { id, emoji } = parsed;
  const userId = chatterOf(context.actor);
  const commandId = commandIdFor(context, `removeChatReaction:${id}`, parsed);
  const loaded = await loadAggregate(deps, chatMessageAggregate, chatMessageStream(id));
  await execute(
    deps,
    chatMessageAggregate,
    chatMessageStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'RemoveChatReaction',
      emoji,
      membership: (await memberSeeing(deps, loaded.state, userId)).membership,
    }),
  );
  return id;
}
